/*
 * vgpu-wlproxy: a guest Wayland proxy over virtio-gpu cross-domain channels. Unmodified Wayland
 * clients connect to $XDG_RUNTIME_DIR/<socket>; each connection gets its own cross-domain context
 * (one channel to the host compositor) in a child process. The Wayland protocol is relayed as bytes;
 * only the file descriptors that ride along are translated, which needs a little of the protocol:
 *  - wl_shm.create_pool with a virtio-gpu buffer (a dma-buf of this device): the buffer is passed
 *    as a VIRTGPU_BLOB identifier: the compositor reads the guest's pixels in place, nothing copied;
 *  - wl_shm.create_pool with guest memory (a memfd): the host cannot read it, so the pool gets a
 *    HOST3D blob of its size (host memory mapped here) passed instead, and each wl_surface.commit
 *    copies the damaged rectangles of the attached buffer into it (the one copy wl_shm forces);
 *  - wl_data_offer.receive: the pipe becomes a READ_PIPE identifier; READs from the host fill it;
 *  - fds from the compositor: memory (the keymap) becomes a blob the proxy maps and copies into a
 *    guest memfd; a write pipe (wl_data_source.send) a local pipe whose bytes go back as WRITEs.
 * Globals whose requests carry fds this proxy does not translate (linux-dmabuf, explicit sync,
 * primary selection) are hidden from the client. Anything malformed from the client ends that
 * client's connection only; a compositor hang-up (an empty RECEIVE) ends it too.
 * On stderr: "VGPU-WLPROXY-READY <path>" once listening, and per client at its end
 * "VGPU-WLPROXY-STATS to-host=B ids=N from-host=B fds=N shm-copied=B commits=N keymap-copied=B".
 * Usage: vgpu-wlproxy [--socket NAME] [--device PATH]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <drm_fourcc.h>

#include "virtgpu-cross-domain.h"

#define MAX_MESSAGE 4096                 /* libwayland's own bound on one message */
#define MAX_SEND_DATA 16384              /* opaque bytes per SEND */
#define MAX_OBJECTS (1u << 20)           /* ids tracked per side */
#define SERVER_ID_BASE 0xff000000u
#define MAX_FDS_QUEUED 64
#define MAX_WRITE_PIPES 8
#define MAX_READ_PIPES 8
#define MAX_DAMAGE 16
#define POOL_ROW_PIXELS 4096u            /* a pool's host blob is an image of 16 KiB rows */

enum kind { K_NONE, K_REGISTRY, K_COMPOSITOR, K_SHM, K_POOL, K_BUFFER, K_SURFACE, K_DATA_DEVICE_MANAGER, K_DATA_DEVICE, K_DATA_OFFER };

struct pool {
    int refs;
    int zero_copy;         /* a virtio-gpu buffer: the host reads it in place */
    int guest_fd;          /* the client's memory (kept for resize) */
    uint8_t *guest, *host;
    size_t size, host_size;
    uint32_t bo;           /* the host blob, or the imported buffer */
};

struct buffer {
    struct pool *pool;
    int32_t offset, width, height, stride;
};

struct surface {
    struct buffer current; /* current.pool holds a reference while attached */
    int whole;             /* the next commit copies the whole buffer (a new attach, or too many rectangles) */
    int32_t transform, scale; /* other than 0 and 1, surface damage is not buffer damage: copy it all */
    int rects;
    int32_t damage[MAX_DAMAGE][4];
};

struct object {
    uint8_t kind;
    void *data;
};

struct pipe_end { uint32_t id; int fd; };

struct conn {
    int client;
    struct cross_domain cd;
    struct object *client_objects, *server_objects;
    /* client to host */
    uint8_t in[2 * MAX_MESSAGE];
    size_t in_len;
    int fdq[MAX_FDS_QUEUED];
    int fdq_head, fdq_len;
    uint8_t send_buf[sizeof(struct cross_domain_send_receive) + MAX_SEND_DATA];
    struct cross_domain_send_receive *send;
    uint32_t next_read_pipe;
    struct pipe_end read_pipes[MAX_READ_PIPES];   /* the host reads for these (client's write ends) */
    struct pipe_end write_pipes[MAX_WRITE_PIPES]; /* the compositor's write pipes: our read ends */
    /* host to client */
    uint8_t out[CROSS_DOMAIN_RING_SIZE + 2 * MAX_MESSAGE];
    size_t out_len;
    int out_fds[CROSS_DOMAIN_MAX_IDENTIFIERS * 2];
    int out_fd_count;
    uint32_t hidden_globals[64];
    int hidden_count;
    /* figures */
    unsigned long long to_host, ids_sent, from_host, fds_received, shm_copied, commits, keymap_copied;
};

static const char *const hidden_interfaces[] = {
    "zwp_linux_dmabuf_v1", "zwp_linux_explicit_synchronization_v1", "wp_linux_drm_syncobj_manager_v1",
    "zwp_primary_selection_device_manager_v1", "gtk_primary_selection_device_manager", "ext_data_control_manager_v1",
    "zwlr_data_control_manager_v1", "wp_security_context_manager_v1", "zwp_input_method_manager_v2", NULL,
};

static void die(const char *what) {
    fprintf(stderr, "VGPU-WLPROXY-FAIL %s: %s\n", what, strerror(errno));
    exit(1);
}

static struct object *object(struct conn *c, uint32_t id) {
    if (id >= SERVER_ID_BASE) return id - SERVER_ID_BASE < MAX_OBJECTS ? &c->server_objects[id - SERVER_ID_BASE] : NULL;
    return id > 0 && id < MAX_OBJECTS ? &c->client_objects[id] : NULL;
}

static void pool_unref(struct conn *c, struct pool *p) {
    if (!p || --p->refs > 0) return;
    if (p->guest) munmap(p->guest, p->size);
    if (p->host) munmap(p->host, p->host_size);
    if (p->guest_fd >= 0) close(p->guest_fd);
    cd_close_bo(c->cd.fd, p->bo);
    free(p);
}

/* Forgets what an id was (it is destroyed, or about to be reused), releasing what it held. */
static void forget(struct conn *c, uint32_t id) {
    struct object *o = object(c, id);
    if (!o) return;
    if (o->kind == K_POOL) pool_unref(c, o->data);
    if (o->kind == K_BUFFER) {
        pool_unref(c, ((struct buffer *)o->data)->pool);
        free(o->data);
    }
    if (o->kind == K_SURFACE) {
        pool_unref(c, ((struct surface *)o->data)->current.pool);
        free(o->data);
    }
    o->kind = K_NONE;
    o->data = NULL;
}

static int define(struct conn *c, uint32_t id, enum kind kind, void *data) {
    struct object *o = object(c, id);
    if (!o) return -1;
    forget(c, id);
    o->kind = (uint8_t)kind;
    o->data = data;
    return 0;
}

/* ---- client to host ---- */

static void flush_send(struct conn *c) {
    struct cross_domain_send_receive *s = c->send;
    if (s->opaque_data_size == 0) return; /* nothing, or identifiers waiting for the bytes that carry them */
    size_t size = sizeof *s + s->opaque_data_size;
    s->hdr = (struct cross_domain_header){.cmd = CROSS_DOMAIN_CMD_SEND, .cmd_size = (uint16_t)((size + 7) & ~7u)};
    if (cd_submit(&c->cd, s, (uint32_t)((size + 7) & ~7u), CROSS_DOMAIN_QUERY_RING, 0)) die("SEND");
    c->to_host += s->opaque_data_size;
    c->ids_sent += s->num_identifiers;
    s->opaque_data_size = 0;
    s->num_identifiers = 0;
}

static void add_identifier(struct conn *c, uint32_t id, uint32_t type) {
    if (c->send->num_identifiers == CROSS_DOMAIN_MAX_IDENTIFIERS) flush_send(c);
    if (c->send->num_identifiers == CROSS_DOMAIN_MAX_IDENTIFIERS) die("identifiers without bytes");
    c->send->identifiers[c->send->num_identifiers] = id;
    c->send->identifier_types[c->send->num_identifiers++] = type;
}

static void add_bytes(struct conn *c, const uint8_t *m, size_t n) {
    if (c->send->opaque_data_size + n > MAX_SEND_DATA) flush_send(c);
    memcpy(c->send_buf + sizeof *c->send + c->send->opaque_data_size, m, n);
    c->send->opaque_data_size += (uint32_t)n;
}

static int next_fd(struct conn *c) {
    if (c->fdq_len == 0) return -1;
    int fd = c->fdq[c->fdq_head];
    c->fdq_head = (c->fdq_head + 1) % MAX_FDS_QUEUED;
    c->fdq_len--;
    return fd;
}

/* A string argument at m[at]: its length word and bytes within the message; the next offset, or -1. */
static long string_arg(const uint8_t *m, size_t size, size_t at, const char **s) {
    if (at + 4 > size) return -1;
    uint32_t len;
    memcpy(&len, m + at, 4);
    if (len == 0 || len > size - at - 4 || m[at + 4 + len - 1] != 0) return -1;
    *s = (const char *)m + at + 4;
    return (long)(at + 4 + ((len + 3) & ~3u));
}

static uint32_t arg(const uint8_t *m, size_t at) {
    uint32_t v;
    memcpy(&v, m + at, 4);
    return v;
}

/* wl_shm.create_pool: the pool's memory as the host can read it. */
static int create_pool(struct conn *c, uint32_t id, int fd, int32_t size) {
    struct pool *p = calloc(1, sizeof *p);
    if (!p) die("calloc");
    p->refs = 1;
    p->guest_fd = -1;
    struct drm_prime_handle prime = {.fd = fd};
    if (ioctl(c->cd.fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime) == 0) { /* a dma-buf of this device */
        uint32_t handle = prime.handle;
        struct vgpu_resource_info info = {.bo_handle = handle};
        if (ioctl(c->cd.fd, VGPU_IOCTL_RESOURCE_INFO, &info)) die("RESOURCE_INFO");
        close(fd);
        p->zero_copy = 1;
        p->bo = handle;
        p->size = (size_t)size;
        define(c, id, K_POOL, p);
        add_identifier(c, info.res_handle, CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB);
        return 0;
    }
    if (size <= 0) {
        close(fd);
        free(p);
        return -1;
    }
    p->guest_fd = fd;
    p->size = (size_t)size;
    p->guest = mmap(NULL, p->size, PROT_READ, MAP_SHARED, fd, 0);
    if (p->guest == MAP_FAILED) {
        close(fd);
        free(p);
        return -1;
    }
    uint32_t rows = (uint32_t)((p->size + POOL_ROW_PIXELS * 4 - 1) / (POOL_ROW_PIXELS * 4));
    uint32_t res;
    if (cd_image_requirements(&c->cd, POOL_ROW_PIXELS, rows, DRM_FORMAT_XRGB8888)) die("pool image requirements");
    p->host_size = c->cd.answer->size;
    if (cd_host_blob(c->cd.fd, c->cd.answer->blob_id, p->host_size, &p->bo, &res)) die("pool HOST3D blob");
    p->host = cd_map(c->cd.fd, p->bo, p->host_size, PROT_READ | PROT_WRITE);
    if (p->host == MAP_FAILED) die("map pool blob");
    define(c, id, K_POOL, p);
    add_identifier(c, res, CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB);
    return 0;
}

static void copy_rect(struct conn *c, struct buffer *b, int64_t x, int64_t y, int64_t w, int64_t h) {
    if (x < 0) { w += x; x = 0; } /* 64-bit: a client's rectangle cannot overflow the clamp */
    if (y < 0) { h += y; y = 0; }
    if (w > b->width - x) w = b->width - x;
    if (h > b->height - y) h = b->height - y;
    if (w <= 0 || h <= 0) return;
    for (int64_t row = y; row < y + h; row++) {
        size_t at = (size_t)b->offset + (size_t)row * (size_t)b->stride + (size_t)x * 4;
        memcpy(b->pool->host + at, b->pool->guest + at, (size_t)w * 4);
    }
    c->shm_copied += (unsigned long long)(w * 4 * h);
}

static void commit(struct conn *c, struct surface *s) {
    struct buffer *b = &s->current;
    c->commits++;
    if (b->pool && !b->pool->zero_copy) {
        if (s->whole || s->transform != 0 || s->scale != 1) {
            copy_rect(c, b, 0, 0, b->width, b->height);
        } else {
            for (int i = 0; i < s->rects; i++) copy_rect(c, b, s->damage[i][0], s->damage[i][1], s->damage[i][2], s->damage[i][3]);
        }
    }
    s->rects = 0;
    s->whole = 0;
}

static void damage(struct surface *s, const uint8_t *m) {
    if (s->rects == MAX_DAMAGE) {
        s->whole = 1;
        return;
    }
    for (int i = 0; i < 4; i++) s->damage[s->rects][i] = (int32_t)arg(m, 8 + 4 * (size_t)i);
    s->rects++;
}

/* One complete request from the client: what it means for fds and pools; -1 ends the client. */
static int client_request(struct conn *c, const uint8_t *m, uint32_t id, uint16_t op, uint16_t size) {
    struct object *o = id == 1 ? NULL : object(c, id);
    enum kind kind = o ? o->kind : K_NONE;
    const char *s;
    if (id == 1 && op == 1 && size >= 12) return define(c, arg(m, 8), K_REGISTRY, NULL); /* wl_display.get_registry */
    switch (kind) {
    case K_REGISTRY:
        if (op == 0) { /* bind(name, interface, version, new_id) */
            long at = string_arg(m, size, 12, &s);
            if (at < 0 || (size_t)at + 8 > size) return -1;
            uint32_t new_id = arg(m, (size_t)at + 4);
            enum kind k = strcmp(s, "wl_compositor") == 0 ? K_COMPOSITOR : strcmp(s, "wl_shm") == 0 ? K_SHM
                        : strcmp(s, "wl_data_device_manager") == 0 ? K_DATA_DEVICE_MANAGER : K_NONE;
            return define(c, new_id, k, NULL);
        }
        return 0;
    case K_COMPOSITOR:
        if (op == 0 && size >= 12) { /* create_surface */
            struct surface *sf = calloc(1, sizeof *sf);
            if (!sf) return -1;
            sf->scale = 1;
            return define(c, arg(m, 8), K_SURFACE, sf);
        }
        return 0;
    case K_SHM:
        if (op == 0) { /* create_pool(new_id, fd, size) */
            int fd = next_fd(c);
            if (fd < 0 || size < 16) return -1;
            return create_pool(c, arg(m, 8), fd, (int32_t)arg(m, 12));
        }
        return 0;
    case K_POOL: {
        struct pool *p = o->data;
        if (op == 0 && size >= 32) { /* create_buffer(new_id, offset, width, height, stride, format) */
            struct buffer *b = calloc(1, sizeof *b);
            if (!b) return -1;
            *b = (struct buffer){p, (int32_t)arg(m, 12), (int32_t)arg(m, 16), (int32_t)arg(m, 20), (int32_t)arg(m, 24)};
            if (b->offset < 0 || b->width <= 0 || b->height <= 0 || b->stride < b->width * 4 ||
                (uint64_t)b->offset + (uint64_t)b->stride * (uint64_t)b->height > p->size) {
                free(b);
                fprintf(stderr, "VGPU-WLPROXY a buffer outside its pool: client ended\n");
                return -1;
            }
            p->refs++;
            return define(c, arg(m, 8), K_BUFFER, b);
        }
        if (op == 1) forget(c, id); /* destroy: buffers keep the memory */
        if (op == 2 && size >= 12) { /* resize */
            int32_t n = (int32_t)arg(m, 8);
            if (p->zero_copy) return n > 0 && (size_t)n <= p->size ? 0 : -1;
            if (n <= 0 || (size_t)n > p->host_size) {
                fprintf(stderr, "VGPU-WLPROXY a pool grown past its host blob (%d > %zu): client ended\n", n, p->host_size);
                return -1;
            }
            void *g = mmap(NULL, (size_t)n, PROT_READ, MAP_SHARED, p->guest_fd, 0);
            if (g == MAP_FAILED) return -1;
            munmap(p->guest, p->size);
            p->guest = g;
            p->size = (size_t)n;
        }
        return 0;
    }
    case K_BUFFER:
        if (op == 0) forget(c, id);
        return 0;
    case K_SURFACE: {
        struct surface *sf = o->data;
        if (op == 0) forget(c, id);
        if (op == 1 && size >= 20) { /* attach(buffer, x, y) */
            struct object *b = arg(m, 8) ? object(c, arg(m, 8)) : NULL;
            pool_unref(c, sf->current.pool);
            sf->current = (struct buffer){0};
            if (b && b->kind == K_BUFFER) {
                sf->current = *(struct buffer *)b->data;
                sf->current.pool->refs++;
                sf->whole = 1; /* a new buffer: its first commit copies it all */
            }
        }
        if ((op == 2 || op == 9) && size >= 24) damage(sf, m); /* damage, damage_buffer */
        if (op == 6) commit(c, sf);
        if (op == 7 && size >= 12) sf->transform = (int32_t)arg(m, 8); /* set_buffer_transform */
        if (op == 8 && size >= 12) sf->scale = (int32_t)arg(m, 8);     /* set_buffer_scale */
        return 0;
    }
    case K_DATA_DEVICE_MANAGER:
        if (op == 1 && size >= 16) return define(c, arg(m, 8), K_DATA_DEVICE, NULL); /* get_data_device(new_id, seat) */
        return 0;
    case K_DATA_DEVICE:
        if (op == 1) forget(c, id); /* release */
        return 0;
    case K_DATA_OFFER:
        if (op == 1) { /* receive(mime_type, fd): the host reads for this pipe */
            int fd = next_fd(c);
            if (fd < 0 || string_arg(m, size, 8, &s) < 0) return -1;
            int slot = -1;
            for (int i = 0; i < MAX_READ_PIPES; i++)
                if (c->read_pipes[i].fd < 0) slot = i;
            if (slot < 0) {
                close(fd); /* too many transfers at once: this one gets nothing (the client sees end of file) */
                return 0;
            }
            c->next_read_pipe = c->next_read_pipe + 1 == 0 ? CROSS_DOMAIN_PIPE_READ_START + 1 : c->next_read_pipe + 1;
            c->read_pipes[slot] = (struct pipe_end){c->next_read_pipe, fd};
            add_identifier(c, c->next_read_pipe, CROSS_DOMAIN_ID_TYPE_READ_PIPE);
        }
        if (op == 2) forget(c, id);
        return 0;
    default:
        return 0;
    }
}

/* Reads what the client sent and relays its complete requests; -1 when the client is gone or broke the protocol. */
static int from_client(struct conn *c) {
    char control[CMSG_SPACE(sizeof(int) * 28)];
    struct iovec iov = {c->in + c->in_len, sizeof c->in - c->in_len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(c->client, &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0 || (msg.msg_flags & MSG_CTRUNC)) return -1; /* gone, or fds lost: the stream cannot be followed */
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < count; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
            if (c->fdq_len == MAX_FDS_QUEUED) return -1;
            c->fdq[(c->fdq_head + c->fdq_len++) % MAX_FDS_QUEUED] = fd;
        }
    }
    c->in_len += (size_t)n;
    size_t at = 0;
    while (c->in_len - at >= 8) {
        uint32_t id = arg(c->in, at), word = arg(c->in, at + 4);
        uint16_t op = (uint16_t)(word & 0xffff), size = (uint16_t)(word >> 16);
        if (size < 8 || size % 4 || size > MAX_MESSAGE) return -1;
        if (c->in_len - at < size) break;
        if (client_request(c, c->in + at, id, op, size) < 0) return -1;
        add_bytes(c, c->in + at, size);
        at += size;
    }
    memmove(c->in, c->in + at, c->in_len - at);
    c->in_len -= at;
    flush_send(c);
    return 0;
}

/* ---- host to client ---- */

static int hidden(const char *interface) {
    for (int i = 0; hidden_interfaces[i]; i++)
        if (strcmp(interface, hidden_interfaces[i]) == 0) return 1;
    return 0;
}

/* Whether an event goes to the client; notes server-made data offers and deleted ids. */
static int keep_event(struct conn *c, const uint8_t *m, uint32_t id, uint16_t op, uint16_t size) {
    struct object *o = id == 1 ? NULL : object(c, id);
    const char *s;
    if (id == 1 && op == 1 && size >= 12) forget(c, arg(m, 8)); /* wl_display.delete_id: the id may be reused */
    if (o && o->kind == K_REGISTRY && op == 0 && string_arg(m, size, 12, &s) > 0 && hidden(s)) {
        if (c->hidden_count < 64) c->hidden_globals[c->hidden_count++] = arg(m, 8);
        return 0;
    }
    if (o && o->kind == K_REGISTRY && op == 1 && size >= 12)
        for (int i = 0; i < c->hidden_count; i++)
            if (c->hidden_globals[i] == arg(m, 8)) return 0;
    if (o && o->kind == K_DATA_DEVICE && op == 0 && size >= 12 && arg(m, 8) >= SERVER_ID_BASE)
        define(c, arg(m, 8), K_DATA_OFFER, NULL); /* data_offer(new_id): the client may receive from it */
    return 1;
}

static int to_client(struct conn *c) {
    size_t at = 0, kept = 0;
    while (c->out_len - at >= 8) {
        uint32_t id = arg(c->out, at), word = arg(c->out, at + 4);
        uint16_t op = (uint16_t)(word & 0xffff), size = (uint16_t)(word >> 16);
        if (size < 8 || size % 4 || size > MAX_MESSAGE) {
            fprintf(stderr, "VGPU-WLPROXY a malformed message from the compositor: client ended\n");
            return -1;
        }
        if (c->out_len - at < size) break;
        if (keep_event(c, c->out + at, id, op, size)) {
            memmove(c->out + kept, c->out + at, size);
            kept += size;
        }
        at += size;
    }
    if (kept > 0) {
        char control[CMSG_SPACE(sizeof(int) * CROSS_DOMAIN_MAX_IDENTIFIERS * 2)];
        struct iovec iov = {c->out, kept};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        if (c->out_fd_count > 0) {
            msg.msg_control = control;
            msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)c->out_fd_count);
            struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
            cm->cmsg_level = SOL_SOCKET;
            cm->cmsg_type = SCM_RIGHTS;
            cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)c->out_fd_count);
            memcpy(CMSG_DATA(cm), c->out_fds, sizeof(int) * (size_t)c->out_fd_count);
        }
        size_t sent = 0;
        while (sent < kept) {
            iov = (struct iovec){c->out + sent, kept - sent};
            ssize_t n = sendmsg(c->client, &msg, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return -1;
            sent += (size_t)n;
            msg.msg_control = NULL;
            msg.msg_controllen = 0;
        }
        for (int i = 0; i < c->out_fd_count; i++) close(c->out_fds[i]);
        c->out_fd_count = 0;
    }
    memmove(c->out, c->out + at, c->out_len - at);
    c->out_len -= at;
    return 0;
}

/* Compositor memory (a keymap): mapped as a HOST3D blob, copied into a sealed guest memfd. */
static int memory_fd(struct conn *c, uint32_t id, uint32_t size) {
    uint64_t pages = ((uint64_t)size + 4095) & ~4095ull;
    uint32_t bo, res;
    if (size == 0 || cd_host_blob(c->cd.fd, id, pages, &bo, &res)) return -1;
    void *src = cd_map(c->cd.fd, bo, pages, PROT_READ);
    int fd = memfd_create("vgpu-wl-memory", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    int ok = src != MAP_FAILED && fd >= 0 && write(fd, src, size) == (ssize_t)size;
    if (src != MAP_FAILED) munmap(src, pages);
    cd_close_bo(c->cd.fd, bo);
    if (!ok) {
        if (fd >= 0) close(fd);
        return -1;
    }
    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    c->keymap_copied += size;
    return fd;
}

/* The compositor's write pipe: a local pipe, whose read end this proxy relays as WRITEs. */
static int write_pipe_fd(struct conn *c, uint32_t id) {
    int p[2];
    for (int i = 0; i < MAX_WRITE_PIPES; i++) {
        if (c->write_pipes[i].fd >= 0) continue;
        if (pipe2(p, O_CLOEXEC)) return -1;
        c->write_pipes[i] = (struct pipe_end){id, p[0]};
        return p[1];
    }
    return -1;
}

static void write_to_host(struct conn *c, struct pipe_end *pe) {
    uint8_t buf[sizeof(struct cross_domain_read_write) + 4000];
    struct cross_domain_read_write *w = (void *)buf;
    ssize_t n = read(pe->fd, buf + sizeof *w, 4000);
    if (n < 0 && errno == EINTR) return;
    if (n < 0) n = 0;
    size_t size = (sizeof *w + (size_t)n + 7) & ~7u;
    *w = (struct cross_domain_read_write){.hdr = {.cmd = CROSS_DOMAIN_CMD_WRITE, .cmd_size = (uint16_t)size},
                                          .identifier = pe->id, .hang_up = n == 0, .opaque_data_size = (uint32_t)n};
    if (cd_submit(&c->cd, buf, (uint32_t)size, CROSS_DOMAIN_QUERY_RING, 0)) die("WRITE");
    c->to_host += (unsigned long long)n;
    if (n == 0) {
        close(pe->fd);
        pe->fd = -1;
    }
}

/* What the host wrote into the channel ring: 1 handled, 0 the compositor hung up, -1 a bad message. */
static int from_host(struct conn *c) {
    volatile uint8_t *ring = c->cd.channel;
    struct cross_domain_header h;
    memcpy(&h, (const void *)ring, sizeof h);
    if (h.cmd == CROSS_DOMAIN_CMD_RECEIVE) {
        struct cross_domain_send_receive r;
        memcpy(&r, (const void *)ring, sizeof r);
        if (r.num_identifiers > CROSS_DOMAIN_MAX_IDENTIFIERS || r.opaque_data_size > CROSS_DOMAIN_RING_SIZE - sizeof r) return -1;
        if (r.num_identifiers == 0 && r.opaque_data_size == 0) return 0;
        if (c->out_len + r.opaque_data_size > sizeof c->out ||
            c->out_fd_count + (int)r.num_identifiers > (int)(sizeof c->out_fds / sizeof c->out_fds[0])) return -1;
        for (uint32_t i = 0; i < r.num_identifiers; i++) {
            int fd = r.identifier_types[i] == CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB ? memory_fd(c, r.identifiers[i], r.identifier_sizes[i])
                   : r.identifier_types[i] == CROSS_DOMAIN_ID_TYPE_WRITE_PIPE ? write_pipe_fd(c, r.identifiers[i]) : -1;
            if (fd < 0) {
                fprintf(stderr, "VGPU-WLPROXY an fd from the compositor cannot be given to the client (type %u): client ended\n",
                        r.identifier_types[i]);
                return -1;
            }
            c->out_fds[c->out_fd_count++] = fd;
        }
        memcpy(c->out + c->out_len, (const void *)(ring + sizeof r), r.opaque_data_size);
        c->out_len += r.opaque_data_size;
        c->from_host += r.opaque_data_size;
        c->fds_received += r.num_identifiers;
        return to_client(c) < 0 ? -1 : 1;
    }
    if (h.cmd == CROSS_DOMAIN_CMD_READ) {
        struct cross_domain_read_write r;
        memcpy(&r, (const void *)ring, sizeof r);
        if (r.opaque_data_size > CROSS_DOMAIN_RING_SIZE - sizeof r) return -1;
        for (int i = 0; i < MAX_READ_PIPES; i++) {
            struct pipe_end *pe = &c->read_pipes[i];
            if (pe->fd < 0 || pe->id != r.identifier) continue;
            uint8_t data[CROSS_DOMAIN_RING_SIZE];
            memcpy(data, (const void *)(ring + sizeof r), r.opaque_data_size);
            for (size_t done = 0; done < r.opaque_data_size;) {
                ssize_t n = write(pe->fd, data + done, r.opaque_data_size - done);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break; /* the client closed its end: the rest is dropped */
                done += (size_t)n;
            }
            c->from_host += r.opaque_data_size;
            if (r.hang_up) {
                close(pe->fd);
                pe->fd = -1;
            }
        }
        return 1;
    }
    return -1;
}

static void stats(struct conn *c) {
    fprintf(stderr, "VGPU-WLPROXY-STATS to-host=%llu ids=%llu from-host=%llu fds=%llu shm-copied=%llu commits=%llu keymap-copied=%llu\n",
            c->to_host, c->ids_sent, c->from_host, c->fds_received, c->shm_copied, c->commits, c->keymap_copied);
}

static void serve(int client, const char *device) {
    static struct conn conn;
    struct conn *c = &conn;
    c->client = client;
    c->send = (struct cross_domain_send_receive *)c->send_buf;
    c->next_read_pipe = CROSS_DOMAIN_PIPE_READ_START;
    for (int i = 0; i < MAX_READ_PIPES; i++) c->read_pipes[i].fd = -1;
    for (int i = 0; i < MAX_WRITE_PIPES; i++) c->write_pipes[i].fd = -1;
    c->client_objects = calloc(MAX_OBJECTS, sizeof(struct object));
    c->server_objects = calloc(MAX_OBJECTS, sizeof(struct object));
    if (!c->client_objects || !c->server_objects) die("calloc");
    int fd = open(device, O_RDWR | O_CLOEXEC);
    if (fd < 0) die(device);
    if (cd_open(&c->cd, fd, CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND)) die("cross-domain Wayland channel");
    if (cd_poll(&c->cd)) die("POLL");
    int status = 0;
    for (;;) {
        struct pollfd p[2 + MAX_WRITE_PIPES];
        int n = 0;
        p[n++] = (struct pollfd){.fd = client, .events = POLLIN};
        p[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
        for (int i = 0; i < MAX_WRITE_PIPES; i++)
            p[n++] = (struct pollfd){.fd = c->write_pipes[i].fd, .events = POLLIN};
        if (poll(p, (nfds_t)n, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        if (p[0].revents && from_client(c) < 0) break;
        if (p[1].revents & POLLIN) {
            uint8_t events[1024];
            ssize_t got = read(fd, events, sizeof events);
            for (ssize_t at = 0; at + (ssize_t)sizeof(struct drm_event) <= got;) {
                struct drm_event e;
                memcpy(&e, events + at, sizeof e);
                if (e.length < sizeof e) break;
                at += e.length;
                if (e.type != VIRTGPU_EVENT_FENCE_SIGNALED) continue;
                int r = from_host(c);
                if (r <= 0) {
                    fprintf(stderr, r == 0 ? "VGPU-WLPROXY-HANGUP the compositor hung up\n"
                                           : "VGPU-WLPROXY a bad message on the channel ring: client ended\n");
                    status = 1;
                    goto end;
                }
                if (cd_poll(&c->cd)) die("POLL");
            }
        }
        for (int i = 0; i < MAX_WRITE_PIPES; i++)
            if (p[2 + i].revents) write_to_host(c, &c->write_pipes[i]);
    }
end:
    stats(c);
    exit(status);
}

int main(int argc, char **argv) {
    const char *name = "wayland-0", *device = "/dev/dri/renderD128";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--socket") == 0) name = argv[i + 1];
        else if (strcmp(argv[i], "--device") == 0) device = argv[i + 1];
    }
    const char *dir = getenv("XDG_RUNTIME_DIR");
    if (!dir) dir = "/tmp";
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%s", dir, name) >= sizeof addr.sun_path) die("socket path");
    unlink(addr.sun_path);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 16)) die("listen");
    signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
    fprintf(stderr, "VGPU-WLPROXY-READY %s\n", addr.sun_path);
    for (;;) {
        int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (client < 0) {
            if (errno == EINTR) continue;
            die("accept");
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(listener);
            serve(client, device);
        }
        close(client);
    }
}
