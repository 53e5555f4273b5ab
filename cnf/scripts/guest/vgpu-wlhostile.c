/*
 * vgpu-wlhostile: a guest that tries to use its Wayland channel for what it does not own. It opens
 * a cross-domain context with a Wayland channel and a second context with a HOST3D blob of its own,
 * then sends on the channel, each to be refused by the host and nothing passed to the compositor:
 *   1. a VIRTGPU_BLOB identifier naming the other context's resource     (ERR_INVALID_RESOURCE_ID)
 *   2. a VIRTGPU_BLOB identifier naming no resource                      (ERR_INVALID_RESOURCE_ID)
 *   3. a READ_PIPE identifier that is not the next read-pipe id           (ERR_INVALID_PARAMETER)
 *   4. a SYNC identifier (nothing the host could pass)                    (ERR_INVALID_PARAMETER)
 *   5. 29 identifiers (at most 28)                                        (ERR_INVALID_PARAMETER)
 *   6. a second INIT with the Wayland channel type                        (ERR_INVALID_PARAMETER)
 * Each refused SEND carries a wl_display.sync; then one well-formed SEND carries another, and the
 * compositor's answer must be that sync's done alone: nothing of the refused sends reached it.
 * Output: "VGPU-WL-HOSTILE sent=6 answer: ids=N callbacks=<ids of the wl_callback.done events>",
 * or "VGPU-WL-FAIL <why>". The host counts the error responses (vgpu:stats).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <drm_fourcc.h>

#include "virtgpu-cross-domain.h"

static int fail(const char *what) {
    printf("VGPU-WL-FAIL %s: %s\n", what, strerror(errno));
    fflush(stdout);
    return 1;
}

/* wl_display.sync(callback) in a SEND with the given identifiers, not waited for: a refused command's fence need not complete. */
static int send_sync(struct cross_domain *cd, uint32_t callback, uint32_t count, const uint32_t *ids, const uint32_t *types) {
    uint32_t sync[3] = {1, (12u << 16) | 0, callback}; /* wl_display, sync, 12 bytes */
    return cd_send(cd, sync, sizeof sync, count, ids, types);
}

int main(void) {
    int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC), other_fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
    struct cross_domain cd, other;
    if (fd < 0 || other_fd < 0) return fail("open render node");
    if (cd_open(&cd, fd, CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND)) return fail("Wayland channel");
    if (cd_open(&other, other_fd, 0) || cd_image_requirements(&other, 64, 64, DRM_FORMAT_XRGB8888)) return fail("other context");
    uint32_t other_bo, other_res;
    if (cd_host_blob(other_fd, other.answer->blob_id, other.answer->size, &other_bo, &other_res)) return fail("other context's blob");

    uint32_t blob = CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB;
    uint32_t id1 = other_res, id2 = 0x7ffffff0u, id3 = CROSS_DOMAIN_PIPE_READ_START + 5, id4 = 1;
    uint32_t t3 = CROSS_DOMAIN_ID_TYPE_READ_PIPE, t4 = CROSS_DOMAIN_ID_TYPE_VIRTGPU_SYNC;
    uint32_t many[CROSS_DOMAIN_MAX_IDENTIFIERS] = {0}, many_types[CROSS_DOMAIN_MAX_IDENTIFIERS];
    for (int i = 0; i < CROSS_DOMAIN_MAX_IDENTIFIERS; i++) many_types[i] = CROSS_DOMAIN_ID_TYPE_EVENT;
    if (send_sync(&cd, 101, 1, &id1, &blob) || send_sync(&cd, 102, 1, &id2, &blob) || send_sync(&cd, 103, 1, &id3, &t3) ||
        send_sync(&cd, 104, 1, &id4, &t4) || send_sync(&cd, 105, CROSS_DOMAIN_MAX_IDENTIFIERS + 1, many, many_types))
        return fail("hostile sends");
    struct cross_domain_init again = {
        .hdr = {.cmd = CROSS_DOMAIN_CMD_INIT, .cmd_size = sizeof again},
        .query_ring_id = cd.query_res, .channel_ring_id = cd.channel_res, .channel_type = CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND,
    };
    if (cd_submit(&cd, &again, sizeof again, CROSS_DOMAIN_QUERY_RING, 0)) return fail("second INIT");

    if (send_sync(&cd, 2, 0, NULL, NULL)) return fail("well-formed send");
    const struct cross_domain_send_receive *answer = cd_receive(&cd, 20000);
    if (!answer) return fail("no answer from the compositor");
    struct cross_domain_send_receive r = *answer;
    char callbacks[256] = "";
    const uint8_t *data = (const uint8_t *)cd.channel + sizeof r;
    for (uint32_t at = 0; at + 8 <= r.opaque_data_size;) {
        uint32_t object, word;
        memcpy(&object, data + at, 4);
        memcpy(&word, data + at + 4, 4);
        uint32_t size = word >> 16;
        if (size < 8 || at + size > r.opaque_data_size) break;
        if ((word & 0xffff) == 0 && object != 1)
            snprintf(callbacks + strlen(callbacks), sizeof callbacks - strlen(callbacks), "%s%u", *callbacks ? "," : "", object);
        at += size;
    }
    printf("VGPU-WL-HOSTILE sent=6 answer: ids=%u callbacks=%s\n", r.num_identifiers, callbacks);
    fflush(stdout);
    return 0;
}
