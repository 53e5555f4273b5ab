/*
 * vgpu-hostblob: runs inside the test guest (static binary in the initramfs). Draws the known
 * image into host memory: creates a cross-domain context (capset 5), a MAPPABLE guest blob as its
 * query ring, asks the host for image requirements (CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS),
 * creates the HOST3D blob they promise, maps it (RESOURCE_MAP_BLOB into the host-visible region),
 * writes the image there and scans it out through KMS. Nothing goes through TRANSFER.
 * Output: "VGPU-HOSTBLOB stride=S size=N blob_id=B", "VGPU-IMAGE-DONE WxH", or "VGPU-FAIL <why>".
 * With --bench, then: write bandwidth into the mapped blob vs into guest RAM, the latency of making
 * and mapping a blob (RESOURCE_CREATE_BLOB + RESOURCE_MAP_BLOB + mmap), and frames (whole-blob write +
 * DIRTYFB, so RESOURCE_FLUSH) between "VGPU-BENCH-FRAMES-BEGIN n" and "VGPU-BENCH-FRAMES-END n"
 * markers, between which the host counts VM exits. With --cycle n, then: n blobs made and freed in
 * turn ("VGPU-CYCLE i size=N retries=R", "VGPU-CYCLE-DONE n"): the host-visible space is reused.
 * Built with the DRM uapi headers of Debian's libdrm-dev (-I/usr/include/libdrm) for KMS and
 * virtgpu-cross-domain.h for the blob, ring and cross-domain calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm_fourcc.h>
#include <drm_mode.h>

#include "known-image.h"

#include "virtgpu-cross-domain.h"

static int fail(const char *what) {
    printf("VGPU-FAIL %s: %s\n", what, strerror(errno));
    fflush(stdout);
    return 1;
}

/* Progress on the console: a stall shows where it is. */
static void step(const char *what) {
    printf("VGPU-STEP %s\n", what);
    fflush(stdout);
}

static void *map_blob(int fd, uint32_t handle, size_t size) {
    return cd_map(fd, handle, size, PROT_READ | PROT_WRITE);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* MB/s of `passes` full writes of n bytes at p (volatile stores, so nothing is optimised away). */
static double write_rate(volatile uint32_t *p, size_t n, int passes) {
    double t0 = now_s();
    for (int k = 0; k < passes; k++)
        for (size_t i = 0; i < n / 4; i++)
            p[i] = (uint32_t)(i + (size_t)k);
    return (double)n * passes / (now_s() - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/*
 * --cycle n: n times a 1024x1024 HOST3D blob is made, mapped, written and read back, then
 * unmapped and closed (RESOURCE_UNMAP_BLOB + RESOURCE_UNREF): with a host-visible region that
 * holds the scanout blob and one such blob only, each needs the space the previous one freed.
 * The driver frees region space when the host answers the UNREF, so a create that finds no
 * space yet is retried for up to 2 s.
 */
static int cycle_blobs(struct cross_domain *cd, int n) {
    int fd = cd->fd;
    struct cross_domain_image_requirements *answer = cd->answer;
    for (int i = 1; i <= n; i++) {
        uint64_t size;
        struct vgpu_create_blob b;
        int tries = 0;
        for (;;) {
            /* A blob_id is redeemed once, even by a create the driver then drops for want of
             * region space (it sends CREATE_BLOB before it allocates): ask again each try. */
            if (cd_image_requirements(cd, 1024, 1024, DRM_FORMAT_XRGB8888)) return fail("cycle requirements");
            size = answer->size;
            b = (struct vgpu_create_blob){.blob_mem = VIRTGPU_BLOB_MEM_HOST3D, .blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE,
                                          .size = size, .blob_id = answer->blob_id};
            if (ioctl(fd, VGPU_IOCTL_CREATE_BLOB, &b) == 0) break;
            if ((errno != ENOSPC && errno != ENOMEM) || ++tries > 100) return fail("cycle blob");
            usleep(20000);
        }
        volatile uint32_t *m = map_blob(fd, b.bo_handle, size);
        if (m == MAP_FAILED) return fail("cycle map");
        for (size_t k = 0; k < size / 4; k += 1024) m[k] = (uint32_t)(i * 0x01010101u) ^ (uint32_t)k;
        for (size_t k = 0; k < size / 4; k += 1024)
            if (m[k] != ((uint32_t)(i * 0x01010101u) ^ (uint32_t)k)) { errno = EIO; return fail("cycle readback"); }
        munmap((void *)m, size);
        struct drm_gem_close close_bo = {.handle = b.bo_handle};
        if (ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_bo)) return fail("cycle close");
        printf("VGPU-CYCLE %d size=%llu retries=%d\n", i, (unsigned long long)size, tries);
        fflush(stdout);
    }
    printf("VGPU-CYCLE-DONE %d\n", n);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    int bench = argc > 1 && strcmp(argv[1], "--bench") == 0;
    int cycles = argc > 2 && strcmp(argv[1], "--cycle") == 0 ? atoi(argv[2]) : 0;
    int fd = open("/dev/dri/card0", O_RDWR);
    if (fd < 0) return fail("open card0");

    struct drm_mode_card_res res = {0};
    uint32_t crtc, conn;
    struct drm_mode_modeinfo mode;
    {
        uint32_t crtcs[8], conns[8];
        if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res)) return fail("getresources");
        res.count_crtcs = res.count_crtcs > 8 ? 8 : res.count_crtcs;
        res.count_connectors = res.count_connectors > 8 ? 8 : res.count_connectors;
        res.count_fbs = res.count_encoders = 0;
        res.crtc_id_ptr = (uint64_t)(uintptr_t)crtcs;
        res.connector_id_ptr = (uint64_t)(uintptr_t)conns;
        if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) || !res.count_crtcs || !res.count_connectors) return fail("no crtc/connector");
        crtc = crtcs[0];
        conn = conns[0];
        struct drm_mode_modeinfo modes[32];
        struct drm_mode_get_connector c = {.connector_id = conn};
        if (ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c)) return fail("getconnector");
        c.count_modes = c.count_modes > 32 ? 32 : c.count_modes;
        c.count_props = c.count_encoders = 0;
        c.modes_ptr = (uint64_t)(uintptr_t)modes;
        if (ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c) || !c.count_modes) return fail("no modes");
        mode = modes[0]; /* the preferred mode comes first */
    }
    uint32_t w = mode.hdisplay, h = mode.vdisplay;

    struct cross_domain cd;
    if (cd_open(&cd, fd, 0)) return fail("cross-domain context and init");
    struct cross_domain_image_requirements *answer = cd.answer;
    if (cd_image_requirements(&cd, w, h, DRM_FORMAT_XRGB8888)) return fail("get image requirements");
    uint32_t stride = answer->strides[0], blob_id = answer->blob_id;
    uint64_t size = answer->size;
    printf("VGPU-HOSTBLOB stride=%u size=%llu blob_id=%u\n", stride, (unsigned long long)size, blob_id);
    fflush(stdout);
    if (stride < w * 4 || size < (uint64_t)stride * h) { errno = EINVAL; return fail("requirements"); }

    struct vgpu_create_blob blob = {
        .blob_mem = VIRTGPU_BLOB_MEM_HOST3D,
        .blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE | VIRTGPU_BLOB_FLAG_USE_SHAREABLE,
        .size = size, .blob_id = blob_id,
    };
    if (ioctl(fd, VGPU_IOCTL_CREATE_BLOB, &blob)) return fail("HOST3D blob");
    step("host3d-created");
    uint8_t *pixels = map_blob(fd, blob.bo_handle, size);
    if (pixels == MAP_FAILED) return fail("map HOST3D blob");
    step("host3d-mapped");
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            ((uint32_t *)(pixels + (size_t)y * stride))[x] = pixel((int)x, (int)y, (int)w, (int)h);

    step("image-written");
    struct drm_mode_fb_cmd2 fb = {.width = w, .height = h, .pixel_format = DRM_FORMAT_XRGB8888,
                                  .handles = {blob.bo_handle}, .pitches = {stride}};
    if (ioctl(fd, DRM_IOCTL_MODE_ADDFB2, &fb)) return fail("addfb2");
    struct drm_mode_crtc set = {.crtc_id = crtc, .fb_id = fb.fb_id, .set_connectors_ptr = (uint64_t)(uintptr_t)&conn,
                                .count_connectors = 1, .mode = mode, .mode_valid = 1};
    step("fb-added");
    if (ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &set)) return fail("setcrtc");
    step("crtc-set");
    struct drm_mode_fb_dirty_cmd dirty = {.fb_id = fb.fb_id};
    ioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dirty); /* a flush of the whole fb; harmless if unsupported */
    printf("VGPU-IMAGE-DONE %ux%u\n", w, h);
    fflush(stdout);
    if (bench) {
        uint8_t *ram = malloc(size);
        if (!ram) return fail("malloc");
        uint8_t *copy = malloc(size);
        memcpy(copy, pixels, size); /* the image, to put back after the bandwidth runs */
        double blob_rate = write_rate((volatile uint32_t *)pixels, size, 20);
        double ram_rate = write_rate((volatile uint32_t *)ram, size, 20);
        printf("VGPU-BENCH write MB/s: host blob mapping %.0f, guest RAM %.0f (4 MB x 20)\n", blob_rate, ram_rate);
        memcpy(pixels, copy, size);
        double lat[9];
        for (int i = 0; i < 9; i++) {
            if (cd_image_requirements(&cd, 64, 64, DRM_FORMAT_XRGB8888)) return fail("bench requirements");
            struct vgpu_create_blob b = {.blob_mem = VIRTGPU_BLOB_MEM_HOST3D, .blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE,
                                         .size = answer->size, .blob_id = answer->blob_id};
            double t0 = now_s();
            if (ioctl(fd, VGPU_IOCTL_CREATE_BLOB, &b)) return fail("bench blob");
            volatile uint32_t *m = map_blob(fd, b.bo_handle, answer->size);
            if (m == MAP_FAILED) return fail("bench map");
            m[0] = 1; /* first touch: the page is there */
            lat[i] = (now_s() - t0) * 1e6;
            munmap((void *)m, answer->size);
            struct drm_gem_close close_bo = {.handle = b.bo_handle};
            ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_bo);
        }
        qsort(lat, 9, sizeof lat[0], cmp_double);
        printf("VGPU-BENCH blob create+map+first touch us: median %.0f, min %.0f, max %.0f (9 blobs of 64x64)\n", lat[4], lat[0], lat[8]);
        fflush(stdout);
        int frames = 30;
        sleep(2); /* the host reads the VM exit count now */
        printf("VGPU-BENCH-FRAMES-BEGIN %d\n", frames);
        fflush(stdout);
        sleep(2);
        double t0 = now_s();
        for (int f = 0; f < frames; f++) {
            for (uint32_t y = 0; y < h; y++)
                memcpy(pixels + (size_t)y * stride, copy + (size_t)y * stride, (size_t)w * 4);
            ioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dirty);
        }
        double secs = now_s() - t0;
        sleep(2);
        printf("VGPU-BENCH-FRAMES-END %d frames in %.3f s (%.1f frames/s)\n", frames, secs, frames / secs);
        fflush(stdout);
        free(ram);
        free(copy);
    }
    if (cycles > 0 && cycle_blobs(&cd, cycles)) return 1;
    pause(); /* keep the DRM file, the blob and its scanout alive until poweroff */
    return 0;
}
