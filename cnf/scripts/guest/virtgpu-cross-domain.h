/*
 * The guest side of a virtio-gpu cross-domain context, shared by the guest tools (vgpu-hostblob,
 * vgpu-wlproxy, vgpu-wlclient): the virtgpu uapi for blobs, rings and context init (Linux 5.16+;
 * Debian's libdrm-dev virtgpu_drm.h predates them, so these few stable-ABI structs of Linux
 * include/uapi/drm/virtgpu_drm.h are declared here under their own names), rutabaga's
 * cross-domain protocol (version 1) and the calls every tool makes: make a context, make and map
 * blobs, submit a command and wait for the host's answer.
 */
#ifndef VGPU_VIRTGPU_CROSS_DOMAIN_H
#define VGPU_VIRTGPU_CROSS_DOMAIN_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>

#define VIRTGPU_EXECBUF_FENCE_FD_OUT 0x02
#define VIRTGPU_EXECBUF_RING_IDX 0x04
#define VIRTGPU_BLOB_MEM_GUEST 0x0001
#define VIRTGPU_BLOB_MEM_HOST3D 0x0002
#define VIRTGPU_BLOB_FLAG_USE_MAPPABLE 0x0001
#define VIRTGPU_BLOB_FLAG_USE_SHAREABLE 0x0002
#define VIRTGPU_CONTEXT_PARAM_CAPSET_ID 0x0001
#define VIRTGPU_CONTEXT_PARAM_NUM_RINGS 0x0002
#define VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK 0x0003
#define VIRTGPU_EVENT_FENCE_SIGNALED 0x90000000
struct vgpu_map { uint64_t offset; uint32_t handle, pad; };
struct vgpu_execbuffer {
    uint32_t flags, size;
    uint64_t command, bo_handles;
    uint32_t num_bo_handles;
    int32_t fence_fd;
    uint32_t ring_idx, pad;
};
struct vgpu_resource_info { uint32_t bo_handle, res_handle, size, blob_mem; };
struct vgpu_create_blob {
    uint32_t blob_mem, blob_flags, bo_handle, res_handle;
    uint64_t size;
    uint32_t pad, cmd_size;
    uint64_t cmd, blob_id;
};
struct vgpu_context_set_param { uint64_t param, value; };
struct vgpu_context_init { uint32_t num_params, pad; uint64_t ctx_set_params; };
#define VGPU_IOCTL_MAP DRM_IOWR(DRM_COMMAND_BASE + 0x01, struct vgpu_map)
#define VGPU_IOCTL_EXECBUFFER DRM_IOWR(DRM_COMMAND_BASE + 0x02, struct vgpu_execbuffer)
#define VGPU_IOCTL_RESOURCE_INFO DRM_IOWR(DRM_COMMAND_BASE + 0x05, struct vgpu_resource_info)
#define VGPU_IOCTL_CREATE_BLOB DRM_IOWR(DRM_COMMAND_BASE + 0x0a, struct vgpu_create_blob)
#define VGPU_IOCTL_CONTEXT_INIT DRM_IOWR(DRM_COMMAND_BASE + 0x0b, struct vgpu_context_init)

/* rutabaga_gfx cross_domain_protocol.rs */
#define CAPSET_CROSS_DOMAIN 5
#define CROSS_DOMAIN_CMD_INIT 1
#define CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS 2
#define CROSS_DOMAIN_CMD_POLL 3
#define CROSS_DOMAIN_CMD_SEND 4
#define CROSS_DOMAIN_CMD_RECEIVE 5
#define CROSS_DOMAIN_CMD_READ 6
#define CROSS_DOMAIN_CMD_WRITE 7
#define CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND 1
#define CROSS_DOMAIN_QUERY_RING 0
#define CROSS_DOMAIN_CHANNEL_RING 1
#define CROSS_DOMAIN_MAX_IDENTIFIERS 28
#define CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB 1
#define CROSS_DOMAIN_ID_TYPE_VIRTGPU_SYNC 2
#define CROSS_DOMAIN_ID_TYPE_READ_PIPE 3
#define CROSS_DOMAIN_ID_TYPE_WRITE_PIPE 4
#define CROSS_DOMAIN_ID_TYPE_EVENT 5
#define CROSS_DOMAIN_PIPE_READ_START 0x80000000u
#define CROSS_DOMAIN_RING_SIZE 4096
struct cross_domain_header { uint8_t cmd, ring_idx; uint16_t cmd_size; uint32_t pad; };
struct cross_domain_init { struct cross_domain_header hdr; uint32_t query_ring_id, channel_ring_id, channel_type; };
struct cross_domain_get_image_requirements { struct cross_domain_header hdr; uint32_t width, height, drm_format, flags; };
struct cross_domain_image_requirements {
    uint32_t strides[4], offsets[4];
    uint64_t modifier, size;
    uint32_t blob_id, map_info;
    int32_t memory_idx, physical_device_idx;
};
struct cross_domain_send_receive {
    struct cross_domain_header hdr;
    uint32_t num_identifiers, opaque_data_size;
    uint32_t identifiers[CROSS_DOMAIN_MAX_IDENTIFIERS];
    uint32_t identifier_types[CROSS_DOMAIN_MAX_IDENTIFIERS];
    uint32_t identifier_sizes[CROSS_DOMAIN_MAX_IDENTIFIERS];
    /* opaque data follows */
};
struct cross_domain_read_write {
    struct cross_domain_header hdr;
    uint32_t identifier, hang_up, opaque_data_size, pad;
    /* opaque data follows */
};

/* A cross-domain context on an open virtio-gpu DRM file; its query ring is mapped at answer. */
struct cross_domain {
    int fd;
    uint32_t query_bo, query_res;
    struct cross_domain_image_requirements *answer;
    uint32_t channel_bo, channel_res;
    volatile uint8_t *channel; /* the channel ring (RECEIVE / READ from the host), or NULL */
};

static inline void *cd_map(int fd, uint32_t handle, size_t size, int prot) {
    struct vgpu_map map = {.handle = handle};
    if (ioctl(fd, VGPU_IOCTL_MAP, &map)) return MAP_FAILED;
    return mmap(NULL, size, prot, MAP_SHARED, fd, (off_t)map.offset);
}

/* A MAPPABLE GUEST blob (guest pages the host reads and writes), mapped read-write. */
static inline void *cd_guest_blob(int fd, size_t size, uint32_t *bo, uint32_t *res) {
    struct vgpu_create_blob b = {.blob_mem = VIRTGPU_BLOB_MEM_GUEST, .blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE, .size = size};
    if (ioctl(fd, VGPU_IOCTL_CREATE_BLOB, &b)) return MAP_FAILED;
    *bo = b.bo_handle;
    *res = b.res_handle;
    return cd_map(fd, b.bo_handle, size, PROT_READ | PROT_WRITE);
}

/* A MAPPABLE, SHAREABLE HOST3D blob redeeming blob_id (host memory mapped into the guest). */
static inline int cd_host_blob(int fd, uint64_t blob_id, uint64_t size, uint32_t *bo, uint32_t *res) {
    struct vgpu_create_blob b = {.blob_mem = VIRTGPU_BLOB_MEM_HOST3D,
                                 .blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE | VIRTGPU_BLOB_FLAG_USE_SHAREABLE,
                                 .size = size, .blob_id = blob_id};
    if (ioctl(fd, VGPU_IOCTL_CREATE_BLOB, &b)) return -1;
    *bo = b.bo_handle;
    *res = b.res_handle;
    return 0;
}

static inline void cd_close_bo(int fd, uint32_t bo) {
    struct drm_gem_close c = {.handle = bo};
    ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* SUBMIT_3D of cmd on ring; with wait, an out-fence is waited for (the host has run it). */
static inline int cd_submit(struct cross_domain *cd, const void *cmd, uint32_t size, uint32_t ring, int wait) {
    struct vgpu_execbuffer eb = {
        .flags = VIRTGPU_EXECBUF_RING_IDX | (wait ? VIRTGPU_EXECBUF_FENCE_FD_OUT : 0),
        .size = size, .command = (uint64_t)(uintptr_t)cmd, .fence_fd = -1, .ring_idx = ring,
    };
    if (ioctl(cd->fd, VGPU_IOCTL_EXECBUFFER, &eb)) return -1;
    if (!wait) return 0;
    struct pollfd p = {.fd = eb.fence_fd, .events = POLLIN};
    int r = poll(&p, 1, 10000);
    close(eb.fence_fd);
    if (r != 1) errno = ETIMEDOUT;
    return r == 1 ? 0 : -1;
}

/*
 * CONTEXT_INIT (capset 5, two rings; the channel ring polled by DRM events when channel_type is
 * set), a one-page query ring, and for a channel a one-page channel ring, then INIT.
 */
static inline int cd_open(struct cross_domain *cd, int fd, uint32_t channel_type) {
    struct vgpu_context_set_param params[3] = {
        {.param = VIRTGPU_CONTEXT_PARAM_CAPSET_ID, .value = CAPSET_CROSS_DOMAIN},
        {.param = VIRTGPU_CONTEXT_PARAM_NUM_RINGS, .value = 2},
        {.param = VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK, .value = 1u << CROSS_DOMAIN_CHANNEL_RING},
    };
    struct vgpu_context_init ctx = {.num_params = channel_type ? 3 : 2, .ctx_set_params = (uint64_t)(uintptr_t)params};
    cd->fd = fd;
    cd->channel = NULL;
    cd->channel_res = 0xffffffffu;
    if (ioctl(fd, VGPU_IOCTL_CONTEXT_INIT, &ctx)) return -1;
    cd->answer = cd_guest_blob(fd, 4096, &cd->query_bo, &cd->query_res);
    if (cd->answer == MAP_FAILED) return -1;
    if (channel_type) {
        void *ring = cd_guest_blob(fd, CROSS_DOMAIN_RING_SIZE, &cd->channel_bo, &cd->channel_res);
        if (ring == MAP_FAILED) return -1;
        cd->channel = ring;
    }
    struct cross_domain_init init = {
        .hdr = {.cmd = CROSS_DOMAIN_CMD_INIT, .cmd_size = sizeof init},
        .query_ring_id = cd->query_res, .channel_ring_id = cd->channel_res, .channel_type = channel_type,
    };
    return cd_submit(cd, &init, sizeof init, CROSS_DOMAIN_QUERY_RING, 1);
}

/* GET_IMAGE_REQUIREMENTS: the host's answer (stride, size, blob_id) lands in cd->answer. */
static inline int cd_image_requirements(struct cross_domain *cd, uint32_t width, uint32_t height, uint32_t drm_format) {
    struct cross_domain_get_image_requirements ask = {
        .hdr = {.cmd = CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS, .cmd_size = sizeof ask},
        .width = width, .height = height, .drm_format = drm_format,
    };
    return cd_submit(cd, &ask, sizeof ask, CROSS_DOMAIN_QUERY_RING, 1);
}

/* POLL on the channel ring: its fence (a DRM event on cd->fd) signals when the host wrote a message there. */
static inline int cd_poll(struct cross_domain *cd) {
    struct cross_domain_header poll_cmd = {.cmd = CROSS_DOMAIN_CMD_POLL, .ring_idx = CROSS_DOMAIN_CHANNEL_RING,
                                           .cmd_size = sizeof poll_cmd};
    return cd_submit(cd, &poll_cmd, sizeof poll_cmd, CROSS_DOMAIN_CHANNEL_RING, 0);
}

/* SEND of n bytes of Wayland data with count identifiers (ids[i] of types[i]); not waited for. */
static inline int cd_send(struct cross_domain *cd, const void *data, uint32_t n, uint32_t count, const uint32_t *ids,
                          const uint32_t *types) {
    static uint8_t buf[sizeof(struct cross_domain_send_receive) + 8192];
    struct cross_domain_send_receive *s = (struct cross_domain_send_receive *)buf;
    uint32_t size = (uint32_t)((sizeof *s + n + 7) & ~7u);
    if (n > sizeof buf - sizeof *s - 8) {
        errno = EMSGSIZE;
        return -1;
    }
    memset(buf, 0, sizeof *s);
    s->hdr = (struct cross_domain_header){.cmd = CROSS_DOMAIN_CMD_SEND, .cmd_size = (uint16_t)size};
    s->num_identifiers = count;
    s->opaque_data_size = n;
    for (uint32_t i = 0; i < count && i < CROSS_DOMAIN_MAX_IDENTIFIERS; i++) {
        s->identifiers[i] = ids[i];
        s->identifier_types[i] = types[i];
    }
    memcpy(buf + sizeof *s, data, n);
    return cd_submit(cd, buf, size, CROSS_DOMAIN_QUERY_RING, 0);
}

/*
 * POLL, then waits (timeout_ms) for the host to write a message into the channel ring: the
 * RECEIVE (or READ) there, or NULL (errno set). Valid until the next POLL.
 */
static inline const struct cross_domain_send_receive *cd_receive(struct cross_domain *cd, int timeout_ms) {
    if (cd_poll(cd)) return NULL;
    struct pollfd p = {.fd = cd->fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) != 1) {
        errno = ETIMEDOUT;
        return NULL;
    }
    uint8_t event[256];
    if (read(cd->fd, event, sizeof event) <= 0) return NULL;
    const struct cross_domain_send_receive *r = (const void *)cd->channel;
    if (r->hdr.cmd != CROSS_DOMAIN_CMD_RECEIVE || r->opaque_data_size > CROSS_DOMAIN_RING_SIZE - sizeof *r) {
        errno = EPROTO;
        return NULL;
    }
    return r;
}

#endif
