/*
 * vgpu-wlwindow: a zero-copy Wayland window for the test guest of vgpu's own micro-VM (static, in
 * the initramfs: that guest has no libwayland), speaking the Wayland wire protocol itself straight
 * over a cross-domain channel. It binds wl_compositor, wl_shm and xdg_wm_base, makes a toplevel,
 * takes the size the compositor configures, draws the known image into a HOST3D blob of its
 * context (image requirements, blob, mapping) and shows it as a wl_shm pool passed as a
 * VIRTGPU_BLOB identifier: the compositor reads the guest's pixels where they are.
 * Output: "VGPU-WL-WINDOW-SHOWN WxH" once the compositor answered the commit's sync, then it
 * answers pings for `hold` seconds; "VGPU-WL-FAIL <why>" on failure.
 * Usage: vgpu-wlwindow [HOLD_SECONDS]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drm_fourcc.h>

#include "known-image.h"
#include "virtgpu-cross-domain.h"

/* Client object ids in the order they are made: libwayland-server takes a new id only as the next one (or a freed one). */
enum { DISPLAY = 1, REGISTRY, SYNC1, COMPOSITOR, SHM, WM_BASE, SURFACE, XDG_SURFACE, TOPLEVEL, POOL, BUFFER, SYNC2 };

static struct cross_domain cd;
static uint32_t out[1024], out_len; /* words of requests not yet sent */
static uint8_t in[16384];
static uint32_t in_len;
static uint32_t compositor_name, shm_name, wm_base_name, configure_serial, done_callback;
static int configured, width = 640, height = 480;

static int fail(const char *what) {
    printf("VGPU-WL-FAIL %s: %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

/* A request: object, opcode, then words (new ids and numbers); strings go through request_string. */
static void request(uint32_t object, uint32_t opcode, int n, const uint32_t *args) {
    out[out_len++] = object;
    out[out_len++] = (uint32_t)(8 + 4 * n) << 16 | opcode;
    for (int i = 0; i < n; i++) out[out_len++] = args[i];
}

/* wl_registry.bind(name, interface, version, new_id) */
static void bind(uint32_t name, const char *interface, uint32_t version, uint32_t id) {
    uint32_t len = (uint32_t)strlen(interface) + 1, words = (len + 3) / 4;
    out[out_len++] = REGISTRY;
    out[out_len++] = (8 + 4 * (4 + words)) << 16 | 0;
    out[out_len++] = name;
    out[out_len++] = len;
    memset(&out[out_len], 0, words * 4);
    memcpy(&out[out_len], interface, len);
    out_len += words;
    out[out_len++] = version;
    out[out_len++] = id;
}

static void flush(uint32_t count, const uint32_t *ids, const uint32_t *types) {
    if (cd_send(&cd, out, out_len * 4, count, ids, types)) fail("SEND");
    out_len = 0;
}

/* One compositor event; the string argument at word 1 for wl_registry.global. */
static void event(uint32_t object, uint32_t opcode, const uint32_t *args, uint32_t words) {
    if (object == DISPLAY && opcode == 0 && words >= 3) {
        printf("VGPU-WL-FAIL the compositor's protocol error %u on object %u: %.*s\n", args[1], args[0],
               words > 3 ? (int)((words - 3) * 4) : 0, (const char *)&args[3]);
        exit(1);
    }
    if (object == REGISTRY && opcode == 0 && words >= 3) {
        const char *interface = (const char *)&args[2];
        if (args[1] == 0 || args[1] > (words - 2) * 4) return;
        if (strcmp(interface, "wl_compositor") == 0) compositor_name = args[0];
        if (strcmp(interface, "wl_shm") == 0) shm_name = args[0];
        if (strcmp(interface, "xdg_wm_base") == 0) wm_base_name = args[0];
    }
    if ((object == SYNC1 || object == SYNC2) && opcode == 0) done_callback = object;
    if (object == WM_BASE && opcode == 0 && words >= 1) { /* ping */
        request(WM_BASE, 3, 1, args); /* pong */
        flush(0, NULL, NULL);
    }
    if (object == TOPLEVEL && opcode == 0 && words >= 2 && args[0] > 0 && args[1] > 0) {
        width = (int)args[0];
        height = (int)args[1];
    }
    if (object == XDG_SURFACE && opcode == 0 && words >= 1) {
        configure_serial = args[0];
        configured = 1;
    }
}

/* Handles the complete events of one RECEIVE; 0 if it is the compositor's hang-up (an empty RECEIVE). */
static int handle(const struct cross_domain_send_receive *r) {
    if (r->hdr.cmd != CROSS_DOMAIN_CMD_RECEIVE || r->opaque_data_size > CROSS_DOMAIN_RING_SIZE - sizeof *r) {
        errno = EPROTO;
        fail("not a RECEIVE in the channel ring");
    }
    if (r->num_identifiers == 0 && r->opaque_data_size == 0) return 0;
    if (in_len + r->opaque_data_size > sizeof in) {
        errno = EMSGSIZE;
        fail("events");
    }
    memcpy(in + in_len, (const uint8_t *)r + sizeof *r, r->opaque_data_size);
    in_len += r->opaque_data_size;
    uint32_t at = 0;
    while (in_len - at >= 8) {
        uint32_t head[2];
        memcpy(head, in + at, 8);
        uint32_t size = head[1] >> 16;
        if (size < 8 || size % 4) {
            errno = EPROTO;
            fail("a malformed event");
        }
        if (in_len - at < size) break;
        uint32_t args[1024];
        memcpy(args, in + at + 8, size - 8);
        event(head[0], head[1] & 0xffff, args, (size - 8) / 4);
        at += size;
    }
    memmove(in, in + at, in_len - at);
    in_len -= at;
    return 1;
}

/* Waits for one RECEIVE and handles it. */
static void receive(int timeout_ms) {
    const struct cross_domain_send_receive *r = cd_receive(&cd, timeout_ms);
    if (!r) fail("RECEIVE");
    if (!handle(r)) {
        errno = ECONNRESET;
        fail("the compositor hung up");
    }
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int hold = argc > 1 ? atoi(argv[1]) : 60;
    int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
    if (fd < 0) fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
    if (fd < 0 || cd_open(&cd, fd, CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND)) fail("Wayland channel");

    uint32_t a[6];
    a[0] = REGISTRY; request(DISPLAY, 1, 1, a); /* get_registry */
    a[0] = SYNC1; request(DISPLAY, 0, 1, a);    /* sync */
    flush(0, NULL, NULL);
    while (done_callback != SYNC1) receive(20000);
    if (!compositor_name || !shm_name || !wm_base_name) {
        errno = ENOENT;
        fail("wl_compositor, wl_shm or xdg_wm_base missing");
    }
    bind(compositor_name, "wl_compositor", 4, COMPOSITOR);
    bind(shm_name, "wl_shm", 1, SHM);
    bind(wm_base_name, "xdg_wm_base", 1, WM_BASE);
    a[0] = SURFACE; request(COMPOSITOR, 0, 1, a);                /* create_surface */
    a[0] = XDG_SURFACE; a[1] = SURFACE; request(WM_BASE, 2, 2, a); /* get_xdg_surface */
    a[0] = TOPLEVEL; request(XDG_SURFACE, 1, 1, a);              /* get_toplevel */
    request(SURFACE, 6, 0, a);                                   /* commit: ask for a configure */
    flush(0, NULL, NULL);
    while (!configured) receive(20000);
    a[0] = configure_serial; request(XDG_SURFACE, 4, 1, a);      /* ack_configure */

    if (cd_image_requirements(&cd, (uint32_t)width, (uint32_t)height, DRM_FORMAT_XRGB8888)) fail("image requirements");
    uint32_t stride = cd.answer->strides[0], bo, res;
    uint64_t size = cd.answer->size;
    if (cd_host_blob(fd, cd.answer->blob_id, size, &bo, &res)) fail("HOST3D blob");
    uint8_t *pixels = cd_map(fd, bo, size, PROT_READ | PROT_WRITE);
    if (pixels == MAP_FAILED) fail("map blob");
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) ((uint32_t *)(pixels + (size_t)y * stride))[x] = pixel(x, y, width, height);

    a[0] = POOL; a[1] = (uint32_t)size; request(SHM, 0, 2, a);    /* create_pool(new_id, fd, size): the fd rides as an identifier */
    uint32_t ids[1] = {res}, types[1] = {CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB};
    a[0] = BUFFER; a[1] = 0; a[2] = (uint32_t)width; a[3] = (uint32_t)height; a[4] = stride; a[5] = 1; /* XRGB8888 */
    request(POOL, 0, 6, a);                                      /* create_buffer */
    a[0] = BUFFER; a[1] = 0; a[2] = 0; request(SURFACE, 1, 3, a); /* attach */
    a[0] = 0; a[1] = 0; a[2] = (uint32_t)width; a[3] = (uint32_t)height; request(SURFACE, 9, 4, a); /* damage_buffer */
    request(SURFACE, 6, 0, a);                                   /* commit */
    a[0] = SYNC2; request(DISPLAY, 0, 1, a);
    flush(1, ids, types);
    while (done_callback != SYNC2) receive(20000);
    printf("VGPU-WL-WINDOW-SHOWN %dx%d\n", width, height);
    fflush(stdout);
    /* Holding the window: one POLL outstanding at a time, events handled (pings), a hang-up reported. */
    if (cd_poll(&cd)) fail("POLL");
    for (double end = now_s() + hold; now_s() < end;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1000) != 1) continue;
        uint8_t drm_event[256];
        if (read(fd, drm_event, sizeof drm_event) <= 0) fail("DRM event");
        if (!handle((const struct cross_domain_send_receive *)cd.channel)) {
            printf("VGPU-WL-HANGUP the compositor hung up\n");
            fflush(stdout);
            return 2;
        }
        if (cd_poll(&cd)) fail("POLL");
    }
    return 0;
}
