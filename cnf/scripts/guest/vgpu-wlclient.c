/*
 * vgpu-wlclient: a Wayland test client (libwayland-client, xdg-shell), for the guest and the host.
 *   --zero-copy  its buffers are virtio-gpu HOST3D blobs from a cross-domain context of its own
 *                (image requirements, blob, mapping), passed as dma-bufs to wl_shm.create_pool:
 *                through vgpu-wlproxy the compositor reads them in place (guest only)
 *   --shm        its buffers are memfds (what ordinary wl_shm clients do)
 *   --frames N   after the first frame, N more redraws of the whole window, each committed on the
 *                previous frame's callback; commit-to-presented latency by wp_presentation
 *   --keymap     binds the seat's keyboard; prints the keymap's first line (read via its mapping)
 *   --copy TEXT  offers TEXT as the selection (text/plain) and serves every paste of it
 *   --paste      prints the first selection it is offered (text/plain)
 *   --hold S     stays connected S seconds after the rest (the window stays shown)
 * The window shows the known image (known-image.h) at the size the compositor configures (kiosk
 * shell: the output's), else 640x480. Markers on stdout: VGPU-WL-SHOWN WxH <mode>,
 * VGPU-WL-FRAMES n=N s=S fps=F latency-ms median=M p90=P, VGPU-WL-KEYMAP size=N <first line>,
 * VGPU-WL-COPY-SERVED n=N, VGPU-WL-PASTE <text>, VGPU-WL-HANGUP (the connection ended under it),
 * VGPU-WL-DONE, or VGPU-WL-FAIL <why>.
 * Built with: wayland-scanner client-header/private-code of xdg-shell.xml and presentation-time.xml
 * into xdg-shell.h/.c and presentation-time.h/.c, then gcc -I. ... -lwayland-client.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <wayland-client.h>

#include "known-image.h"
#include "presentation-time.h"
#include "virtgpu-cross-domain.h"
#include "xdg-shell.h"

#define BUFFERS 2

struct frame_buffer {
    struct wl_buffer *buffer;
    uint32_t *pixels;
    uint32_t stride;
    size_t size;
    int busy;
};

static struct {
    struct wl_display *display;
    struct wl_compositor *compositor;
    struct wl_shm *shm;
    struct xdg_wm_base *wm_base;
    struct wl_seat *seat;
    struct wl_keyboard *keyboard;
    struct wl_data_device_manager *ddm;
    struct wl_data_device *data_device;
    struct wp_presentation *presentation;
    struct wl_surface *surface;
    struct xdg_surface *xdg_surface;
    struct xdg_toplevel *toplevel;
    struct frame_buffer buffers[BUFFERS];
    int zero_copy, configured, width, height;
    int keymap_wanted, keymap_done, paste_wanted, paste_done;
    const char *copy_text;
    int copies_served;
    uint32_t last_serial;
    struct wl_data_offer *offer;
    int offer_has_text;
    struct cross_domain cd;
    int frame_pending;
    double *latencies;
    int presented;
} app = {.width = 640, .height = 480};

static void fail(const char *what) {
    printf("VGPU-WL-FAIL %s: %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- buffers ---- */

static void buffer_release(void *data, struct wl_buffer *b) {
    (void)b;
    ((struct frame_buffer *)data)->busy = 0;
}
static const struct wl_buffer_listener buffer_listener = {buffer_release};

/* A buffer whose memory is a virtio-gpu HOST3D blob (zero-copy) or a memfd (shm). */
static void make_buffer(struct frame_buffer *fb) {
    int fd;
    fb->stride = (uint32_t)app.width * 4;
    fb->size = (size_t)fb->stride * (size_t)app.height;
    if (app.zero_copy) {
        if (cd_image_requirements(&app.cd, (uint32_t)app.width, (uint32_t)app.height, DRM_FORMAT_XRGB8888)) fail("image requirements");
        fb->stride = app.cd.answer->strides[0];
        fb->size = app.cd.answer->size;
        uint32_t bo, res;
        if (cd_host_blob(app.cd.fd, app.cd.answer->blob_id, fb->size, &bo, &res)) fail("HOST3D blob");
        fb->pixels = cd_map(app.cd.fd, bo, fb->size, PROT_READ | PROT_WRITE);
        if (fb->pixels == MAP_FAILED) fail("map blob");
        struct drm_prime_handle prime = {.handle = bo, .flags = DRM_CLOEXEC | DRM_RDWR};
        if (ioctl(app.cd.fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime)) fail("export blob");
        fd = prime.fd;
    } else {
        fd = memfd_create("vgpu-wlclient", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, (off_t)fb->size)) fail("memfd");
        fb->pixels = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (fb->pixels == MAP_FAILED) fail("mmap");
    }
    struct wl_shm_pool *pool = wl_shm_create_pool(app.shm, fd, (int32_t)fb->size);
    fb->buffer = wl_shm_pool_create_buffer(pool, 0, app.width, app.height, (int32_t)fb->stride, WL_SHM_FORMAT_XRGB8888);
    wl_shm_pool_destroy(pool);
    close(fd);
    wl_buffer_add_listener(fb->buffer, &buffer_listener, fb);
}

/*
 * Frame 0 is the known image; frame f is it rotated left by f pixels (every pixel changes), copied
 * row by row from an image made once, so that a frame costs the client what it costs to write
 * its pixels, the same on both paths.
 */
static void draw(struct frame_buffer *fb, int frame) {
    static uint32_t *image;
    if (!image) {
        image = malloc((size_t)app.width * (size_t)app.height * 4);
        if (!image) fail("malloc");
        for (int y = 0; y < app.height; y++)
            for (int x = 0; x < app.width; x++) image[(size_t)y * (size_t)app.width + (size_t)x] = pixel(x, y, app.width, app.height);
    }
    size_t shift = (size_t)(frame % app.width), w = (size_t)app.width;
    for (int y = 0; y < app.height; y++) {
        uint32_t *row = (uint32_t *)((uint8_t *)fb->pixels + (size_t)y * fb->stride);
        const uint32_t *src = image + (size_t)y * w;
        memcpy(row, src + shift, (w - shift) * 4);
        memcpy(row + (w - shift), src, shift * 4);
    }
}

/* ---- presentation ---- */

static void fb_sync_output(void *d, struct wp_presentation_feedback *f, struct wl_output *o) { (void)d; (void)f; (void)o; }
static void fb_presented(void *data, struct wp_presentation_feedback *f, uint32_t a, uint32_t b, uint32_t c, uint32_t r,
                         uint32_t e, uint32_t g, uint32_t flags) {
    (void)a; (void)b; (void)c; (void)r; (void)e; (void)g; (void)flags;
    double *committed = data;
    if (app.latencies) app.latencies[app.presented] = now_ms() - *committed;
    app.presented++;
    free(committed);
    wp_presentation_feedback_destroy(f);
}
static void fb_discarded(void *data, struct wp_presentation_feedback *f) {
    free(data);
    wp_presentation_feedback_destroy(f);
}
static const struct wp_presentation_feedback_listener feedback_listener = {fb_sync_output, fb_presented, fb_discarded};

static void frame_done(void *data, struct wl_callback *cb, uint32_t t) {
    (void)data; (void)t;
    app.frame_pending = 0;
    wl_callback_destroy(cb);
}
static const struct wl_callback_listener frame_listener = {frame_done};

static void show(struct frame_buffer *fb, int measure) {
    wl_surface_attach(app.surface, fb->buffer, 0, 0);
    wl_surface_damage_buffer(app.surface, 0, 0, app.width, app.height);
    struct wl_callback *cb = wl_surface_frame(app.surface);
    wl_callback_add_listener(cb, &frame_listener, NULL);
    app.frame_pending = 1;
    if (measure && app.presentation) {
        double *committed = malloc(sizeof *committed);
        *committed = now_ms();
        wp_presentation_feedback_add_listener(wp_presentation_feedback(app.presentation, app.surface), &feedback_listener, committed);
    }
    fb->busy = 1;
    wl_surface_commit(app.surface);
}

/* ---- shell, seat, clipboard ---- */

static void wm_ping(void *d, struct xdg_wm_base *wm, uint32_t serial) { (void)d; xdg_wm_base_pong(wm, serial); }
static const struct xdg_wm_base_listener wm_listener = {wm_ping};

static void xs_configure(void *d, struct xdg_surface *s, uint32_t serial) {
    (void)d;
    xdg_surface_ack_configure(s, serial);
    app.configured = 1;
}
static const struct xdg_surface_listener xs_listener = {xs_configure};

static void tl_configure(void *d, struct xdg_toplevel *t, int32_t w, int32_t h, struct wl_array *states) {
    (void)d; (void)t; (void)states;
    if (w > 0 && h > 0 && !app.buffers[0].buffer) {
        app.width = w;
        app.height = h;
    }
}
static void tl_close(void *d, struct xdg_toplevel *t) { (void)d; (void)t; }
static const struct xdg_toplevel_listener tl_listener = {tl_configure, tl_close, NULL, NULL};

static void kb_keymap(void *d, struct wl_keyboard *k, uint32_t format, int32_t fd, uint32_t size) {
    (void)d; (void)k; (void)format;
    char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) fail("mmap keymap");
    size_t line = strcspn(map, "\n");
    printf("VGPU-WL-KEYMAP size=%u %.*s\n", size, (int)(line < 200 ? line : 200), map);
    fflush(stdout);
    munmap(map, size);
    app.keymap_done = 1;
}
static void kb_enter(void *d, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s, struct wl_array *keys) {
    (void)d; (void)k; (void)s; (void)keys;
    app.last_serial = serial;
}
static void kb_leave(void *d, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s) { (void)d; (void)k; (void)serial; (void)s; }
static void kb_key(void *d, struct wl_keyboard *k, uint32_t serial, uint32_t t, uint32_t key, uint32_t state) {
    (void)d; (void)k; (void)t; (void)key; (void)state;
    app.last_serial = serial;
}
static void kb_modifiers(void *d, struct wl_keyboard *k, uint32_t serial, uint32_t a, uint32_t b, uint32_t c, uint32_t g) {
    (void)d; (void)k; (void)serial; (void)a; (void)b; (void)c; (void)g;
}
static void kb_repeat(void *d, struct wl_keyboard *k, int32_t rate, int32_t delay) { (void)d; (void)k; (void)rate; (void)delay; }
static const struct wl_keyboard_listener kb_listener = {kb_keymap, kb_enter, kb_leave, kb_key, kb_modifiers, kb_repeat};

static void seat_caps(void *d, struct wl_seat *s, uint32_t caps) {
    (void)d;
    if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && !app.keyboard) {
        app.keyboard = wl_seat_get_keyboard(s);
        wl_keyboard_add_listener(app.keyboard, &kb_listener, NULL);
    }
}
static void seat_name(void *d, struct wl_seat *s, const char *n) { (void)d; (void)s; (void)n; }
static const struct wl_seat_listener seat_listener = {seat_caps, seat_name};

static void source_target(void *d, struct wl_data_source *s, const char *m) { (void)d; (void)s; (void)m; }
static void source_send(void *d, struct wl_data_source *s, const char *mime, int32_t fd) {
    (void)d; (void)s; (void)mime;
    size_t n = strlen(app.copy_text);
    if (write(fd, app.copy_text, n) != (ssize_t)n) fail("write selection");
    close(fd);
    app.copies_served++;
    printf("VGPU-WL-COPY-SERVED n=%d\n", app.copies_served);
    fflush(stdout);
}
static void source_cancelled(void *d, struct wl_data_source *s) { (void)d; wl_data_source_destroy(s); }
static const struct wl_data_source_listener source_listener = {source_target, source_send, source_cancelled, NULL, NULL, NULL};

static void offer_offer(void *d, struct wl_data_offer *o, const char *mime) {
    (void)d; (void)o;
    if (strncmp(mime, "text/plain", 10) == 0) app.offer_has_text = 1;
}
static const struct wl_data_offer_listener offer_listener = {offer_offer, NULL, NULL};

static void dd_data_offer(void *d, struct wl_data_device *dd, struct wl_data_offer *o) {
    (void)d; (void)dd;
    app.offer_has_text = 0;
    wl_data_offer_add_listener(o, &offer_listener, NULL);
}
static void dd_enter(void *d, struct wl_data_device *dd, uint32_t s, struct wl_surface *sf, wl_fixed_t x, wl_fixed_t y, struct wl_data_offer *o) {
    (void)d; (void)dd; (void)s; (void)sf; (void)x; (void)y; (void)o;
}
static void dd_leave(void *d, struct wl_data_device *dd) { (void)d; (void)dd; }
static void dd_motion(void *d, struct wl_data_device *dd, uint32_t t, wl_fixed_t x, wl_fixed_t y) { (void)d; (void)dd; (void)t; (void)x; (void)y; }
static void dd_drop(void *d, struct wl_data_device *dd) { (void)d; (void)dd; }
static void dd_selection(void *d, struct wl_data_device *dd, struct wl_data_offer *o) {
    (void)d; (void)dd;
    if (o && app.paste_wanted && !app.paste_done && app.offer_has_text) app.offer = o;
}
static const struct wl_data_device_listener dd_listener = {dd_data_offer, dd_enter, dd_leave, dd_motion, dd_drop, dd_selection};

/* Reads the offered selection through a pipe (the compositor hands its write end to the source). */
static void paste(void) {
    int p[2];
    if (pipe2(p, O_CLOEXEC)) fail("pipe");
    wl_data_offer_receive(app.offer, "text/plain;charset=utf-8", p[1]);
    close(p[1]);
    wl_display_flush(app.display);
    char text[4096];
    size_t n = 0;
    for (ssize_t r; n < sizeof text - 1 && (r = read(p[0], text + n, sizeof text - 1 - n)) > 0;) n += (size_t)r;
    close(p[0]);
    text[n] = 0;
    printf("VGPU-WL-PASTE %s\n", text);
    fflush(stdout);
    app.paste_done = 1;
}

static void global(void *d, struct wl_registry *r, uint32_t name, const char *iface, uint32_t version) {
    (void)d;
    if (strcmp(iface, wl_compositor_interface.name) == 0) app.compositor = wl_registry_bind(r, name, &wl_compositor_interface, 4);
    else if (strcmp(iface, wl_shm_interface.name) == 0) app.shm = wl_registry_bind(r, name, &wl_shm_interface, 1);
    else if (strcmp(iface, xdg_wm_base_interface.name) == 0) app.wm_base = wl_registry_bind(r, name, &xdg_wm_base_interface, 1);
    else if (strcmp(iface, wp_presentation_interface.name) == 0) app.presentation = wl_registry_bind(r, name, &wp_presentation_interface, 1);
    else if (strcmp(iface, wl_seat_interface.name) == 0) app.seat = wl_registry_bind(r, name, &wl_seat_interface, version < 5 ? version : 5);
    else if (strcmp(iface, wl_data_device_manager_interface.name) == 0)
        app.ddm = wl_registry_bind(r, name, &wl_data_device_manager_interface, version < 3 ? version : 3);
}
static void global_remove(void *d, struct wl_registry *r, uint32_t name) { (void)d; (void)r; (void)name; }
static const struct wl_registry_listener registry_listener = {global, global_remove};

static void dispatch(void) {
    if (wl_display_dispatch(app.display) < 0) {
        printf("VGPU-WL-HANGUP %s\n", strerror(errno));
        fflush(stdout);
        exit(3);
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int frames = 0, hold = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--zero-copy") == 0) app.zero_copy = 1;
        else if (strcmp(argv[i], "--shm") == 0) app.zero_copy = 0;
        else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc) frames = atoi(argv[++i]);
        else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc) hold = atoi(argv[++i]);
        else if (strcmp(argv[i], "--keymap") == 0) app.keymap_wanted = 1;
        else if (strcmp(argv[i], "--copy") == 0 && i + 1 < argc) app.copy_text = argv[++i];
        else if (strcmp(argv[i], "--paste") == 0) app.paste_wanted = 1;
    }
    if (app.zero_copy) {
        int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
        if (fd < 0 || cd_open(&app.cd, fd, 0)) fail("cross-domain context");
    }
    app.display = wl_display_connect(NULL);
    if (!app.display) fail("connect");
    struct wl_registry *registry = wl_display_get_registry(app.display);
    wl_registry_add_listener(registry, &registry_listener, NULL);
    wl_display_roundtrip(app.display);
    if (!app.compositor || !app.shm || !app.wm_base) fail("globals");
    xdg_wm_base_add_listener(app.wm_base, &wm_listener, NULL);
    if (app.seat) wl_seat_add_listener(app.seat, &seat_listener, NULL);
    if (app.ddm && app.seat && (app.copy_text || app.paste_wanted)) {
        app.data_device = wl_data_device_manager_get_data_device(app.ddm, app.seat);
        wl_data_device_add_listener(app.data_device, &dd_listener, NULL);
    }
    app.surface = wl_compositor_create_surface(app.compositor);
    app.xdg_surface = xdg_wm_base_get_xdg_surface(app.wm_base, app.surface);
    xdg_surface_add_listener(app.xdg_surface, &xs_listener, NULL);
    app.toplevel = xdg_surface_get_toplevel(app.xdg_surface);
    xdg_toplevel_add_listener(app.toplevel, &tl_listener, NULL);
    xdg_toplevel_set_title(app.toplevel, "vgpu-wlclient");
    wl_surface_commit(app.surface);
    while (!app.configured) dispatch();

    for (int i = 0; i < BUFFERS; i++) make_buffer(&app.buffers[i]);
    draw(&app.buffers[0], 0);
    show(&app.buffers[0], 0);
    while (app.frame_pending) dispatch();
    printf("VGPU-WL-SHOWN %dx%d %s\n", app.width, app.height, app.zero_copy ? "zero-copy" : "shm");
    fflush(stdout);

    if (frames > 0) {
        app.latencies = calloc((size_t)frames, sizeof(double));
        double t0 = now_ms();
        for (int f = 1; f <= frames; f++) {
            struct frame_buffer *fb = &app.buffers[f % BUFFERS];
            while (fb->busy || app.frame_pending) dispatch();
            draw(fb, f);
            show(fb, 1);
        }
        while (app.frame_pending) dispatch();
        double secs = (now_ms() - t0) / 1e3;
        for (double deadline = now_ms() + 2000; app.presented < frames && now_ms() < deadline;) {
            wl_display_roundtrip(app.display);
        }
        int n = app.presented < frames ? app.presented : frames;
        qsort(app.latencies, (size_t)n, sizeof(double), cmp_double);
        printf("VGPU-WL-FRAMES n=%d s=%.3f fps=%.1f latency-ms median=%.2f p90=%.2f presented=%d\n", frames, secs, frames / secs,
               n ? app.latencies[n / 2] : -1.0, n ? app.latencies[n * 9 / 10] : -1.0, n);
        fflush(stdout);
    }
    if (app.copy_text) {
        struct wl_data_source *source = wl_data_device_manager_create_data_source(app.ddm);
        wl_data_source_add_listener(source, &source_listener, NULL);
        wl_data_source_offer(source, "text/plain;charset=utf-8");
        wl_data_device_set_selection(app.data_device, source, app.last_serial);
        wl_display_roundtrip(app.display);
        printf("VGPU-WL-COPY-SET\n");
        fflush(stdout);
    }
    if (app.keymap_wanted)
        for (double deadline = now_ms() + 10000; !app.keymap_done && now_ms() < deadline;) wl_display_roundtrip(app.display);
    if (app.keymap_wanted && !app.keymap_done) {
        errno = ETIMEDOUT;
        fail("no keymap");
    }
    if (app.paste_wanted) {
        for (double deadline = now_ms() + 20000; !app.offer && now_ms() < deadline;) {
            wl_display_roundtrip(app.display);
            usleep(20000);
        }
        if (!app.offer) {
            errno = ETIMEDOUT;
            fail("no selection offered");
        }
        paste();
    }
    for (double deadline = now_ms() + hold * 1000.0; now_ms() < deadline;) {
        struct pollfd p = {.fd = wl_display_get_fd(app.display), .events = POLLIN};
        wl_display_flush(app.display);
        if (poll(&p, 1, 100) > 0) dispatch();
    }
    printf("VGPU-WL-DONE\n");
    fflush(stdout);
    return 0;
}
