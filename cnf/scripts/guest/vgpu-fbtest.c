/*
 * vgpu-fbtest: runs inside the test guest (static binary in the initramfs).
 * Draws a deterministic known image on /dev/fb0 so that a host-side QMP screendump can be compared
 * pixel-exactly with org.vgpu.itest.guest.GuestImage (the Java twin of pixel() below: keep them in step),
 * and prints the fb geometry and the DRM connector modes (from EDID) to stdout.
 *
 * Usage: vgpu-fbtest [--invert] [fbdev]   (default /dev/fb0; --invert draws every colour inverted)
 *        vgpu-fbtest --cursor X Y  (sets a 64x64 cursor on the first CRTC of /dev/dri/card0 and moves it)
 *        vgpu-fbtest --spin SECONDS [fbdev]  (after the image, redraws the whole screen as fast as it can
 *        for SECONDS, the image rotated one pixel left per frame: every pixel changes each frame)
 * Output lines: "VGPU-FB WxH bpp=B stride=S", "VGPU-MODES <connector> m1,m2,...", "VGPU-IMAGE-DONE WxH",
 * "VGPU-CURSOR-DONE X Y", "VGPU-SPIN-BEGIN", "VGPU-SPIN frames=N s=S fps=F".
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <linux/kd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "known-image.h"

/* The few DRM uapi structs and ioctls needed (stable ABI, from include/uapi/drm/drm_mode.h), declared
 * here because the build machine has no DRM headers. */
struct drm_mode_card_res {
    uint64_t fb_id_ptr, crtc_id_ptr, connector_id_ptr, encoder_id_ptr;
    uint32_t count_fbs, count_crtcs, count_connectors, count_encoders;
    uint32_t min_width, max_width, min_height, max_height;
};
struct drm_mode_cursor { uint32_t flags, crtc_id; int32_t x, y; uint32_t width, height, handle; };
struct drm_mode_create_dumb { uint32_t height, width, bpp, flags, handle, pitch; uint64_t size; };
struct drm_mode_map_dumb { uint32_t handle, pad; uint64_t offset; };
#define DRM_IOCTL_MODE_GETRESOURCES _IOWR('d', 0xA0, struct drm_mode_card_res)
#define DRM_IOCTL_MODE_CURSOR _IOWR('d', 0xA3, struct drm_mode_cursor)
#define DRM_IOCTL_MODE_CREATE_DUMB _IOWR('d', 0xB2, struct drm_mode_create_dumb)
#define DRM_IOCTL_MODE_MAP_DUMB _IOWR('d', 0xB3, struct drm_mode_map_dumb)
#define DRM_MODE_CURSOR_BO 1
#define DRM_MODE_CURSOR_MOVE 2

/* The known cursor: 0xAARRGGBB of cursor pixel (x, y); keep in step with GuestImage.cursorPixel. */
static uint32_t cursor_pixel(int x, int y) {
    return 0xff000000u | (uint32_t)(x * 4) << 16 | (uint32_t)(y * 4) << 8 | 0x80u;
}

/* Becomes DRM master (first opener), sets a 64x64 ARGB cursor on the first CRTC and moves it. */
static int cursor(int x, int y) {
    int fd = open("/dev/dri/card0", O_RDWR);
    if (fd < 0) { perror("card0"); printf("VGPU-FAIL open card0\n"); return 1; }
    uint32_t crtcs[8];
    struct drm_mode_card_res res = {0};
    if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) || res.count_crtcs == 0) { printf("VGPU-FAIL no crtc\n"); return 1; }
    if (res.count_crtcs > 8) res.count_crtcs = 8;
    struct drm_mode_card_res res2 = {0};
    res2.crtc_id_ptr = (uint64_t)(uintptr_t)crtcs;
    res2.count_crtcs = res.count_crtcs;
    if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res2)) { printf("VGPU-FAIL getresources\n"); return 1; }
    struct drm_mode_create_dumb dumb = {.height = 64, .width = 64, .bpp = 32};
    if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb)) { printf("VGPU-FAIL create dumb\n"); return 1; }
    struct drm_mode_map_dumb map = {.handle = dumb.handle};
    if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map)) { printf("VGPU-FAIL map dumb\n"); return 1; }
    uint8_t *p = mmap(NULL, dumb.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
    if (p == MAP_FAILED) { printf("VGPU-FAIL mmap dumb\n"); return 1; }
    for (int cy = 0; cy < 64; cy++)
        for (int cx = 0; cx < 64; cx++)
            ((uint32_t *)(p + (size_t)cy * dumb.pitch))[cx] = cursor_pixel(cx, cy);
    struct drm_mode_cursor set = {.flags = DRM_MODE_CURSOR_BO, .crtc_id = crtcs[0], .width = 64, .height = 64, .handle = dumb.handle};
    if (ioctl(fd, DRM_IOCTL_MODE_CURSOR, &set)) { perror("cursor"); printf("VGPU-FAIL set cursor\n"); return 1; }
    struct drm_mode_cursor move = {.flags = DRM_MODE_CURSOR_MOVE, .crtc_id = crtcs[0], .x = x, .y = y};
    if (ioctl(fd, DRM_IOCTL_MODE_CURSOR, &move)) { perror("move"); printf("VGPU-FAIL move cursor\n"); return 1; }
    printf("VGPU-CURSOR-DONE %d %d\n", x, y);
    fflush(stdout);
    pause(); /* keep the DRM file (and so the cursor) alive until poweroff */
    return 0;
}

static void print_modes(void) {
    DIR *d = opendir("/sys/class/drm");
    struct dirent *e;
    if (!d) { printf("VGPU-MODES none (no /sys/class/drm)\n"); return; }
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "card", 4) != 0 || !strchr(e->d_name, '-'))
            continue;
        char path[512], line[64], all[4096] = "";
        snprintf(path, sizeof path, "/sys/class/drm/%s/modes", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = 0;
            if (strlen(all) + strlen(line) + 2 >= sizeof all) break;
            if (all[0]) strcat(all, ",");
            strcat(all, line);
        }
        fclose(f);
        printf("VGPU-MODES %s %s\n", e->d_name, all[0] ? all : "(none)");
    }
    closedir(d);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Full-screen redraws for `seconds`: rows of the image rotated by the frame number, written with write() (damage for the whole screen). */
static int spin_frames(int fd, const uint8_t *image, int w, int h, int stride, int seconds) {
    size_t frame_size = (size_t)stride * (size_t)h;
    uint8_t *next = malloc(frame_size);
    if (!next) { printf("VGPU-FAIL oom\n"); return 1; }
    printf("VGPU-SPIN-BEGIN\n");
    fflush(stdout);
    long frames = 0;
    double t0 = now_s(), end = t0 + seconds;
    while (now_s() < end) {
        size_t shift = (size_t)(frames % w) * 4, row = (size_t)w * 4;
        for (int y = 0; y < h; y++) {
            const uint8_t *src = image + (size_t)y * stride;
            uint8_t *dst = next + (size_t)y * stride;
            memcpy(dst, src + shift, row - shift);
            memcpy(dst + row - shift, src, shift);
        }
        lseek(fd, 0, SEEK_SET);
        for (size_t done = 0; done < frame_size;) {
            ssize_t n = write(fd, next + done, frame_size - done);
            if (n <= 0) { perror("write"); printf("VGPU-FAIL write\n"); return 1; }
            done += (size_t)n;
        }
        frames++;
    }
    double secs = now_s() - t0;
    printf("VGPU-SPIN frames=%ld s=%.2f fps=%.1f\n", frames, secs, frames / secs);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--cursor") == 0)
        return cursor(atoi(argv[2]), atoi(argv[3]));
    int spin = 0;
    if (argc > 2 && strcmp(argv[1], "--spin") == 0) {
        spin = atoi(argv[2]);
        argc -= 2;
        argv += 2;
    }
    int invert = argc > 1 && strcmp(argv[1], "--invert") == 0;
    if (invert) { argc--; argv++; }
    const char *dev = argc > 1 ? argv[1] : "/dev/fb0";
    int fd = open(dev, O_RDWR);
    if (fd < 0) { perror(dev); printf("VGPU-FAIL open %s\n", dev); return 1; }
    struct fb_var_screeninfo v;
    struct fb_fix_screeninfo fx;
    if (ioctl(fd, FBIOGET_VSCREENINFO, &v) || ioctl(fd, FBIOGET_FSCREENINFO, &fx)) {
        perror("FBIOGET"); printf("VGPU-FAIL ioctl\n"); return 1;
    }
    int w = (int)v.xres, h = (int)v.yres, stride = (int)fx.line_length;
    printf("VGPU-FB %dx%d bpp=%u stride=%d red=%u/%u green=%u/%u blue=%u/%u\n", w, h, v.bits_per_pixel,
           stride, v.red.offset, v.red.length, v.green.offset, v.green.length, v.blue.offset, v.blue.length);
    print_modes();
    fflush(stdout);
    if (v.bits_per_pixel != 32) { printf("VGPU-FAIL bpp %u not supported\n", v.bits_per_pixel); return 1; }

    /* Keep the text console off the picture: graphics mode stops fbcon drawing (and its cursor). */
    int tty = open("/dev/tty1", O_RDWR);
    if (tty >= 0) ioctl(tty, KDSETMODE, KD_GRAPHICS);

    size_t size = (size_t)stride * (size_t)v.yres_virtual;
    uint8_t *buf = calloc(1, size);
    if (!buf) { printf("VGPU-FAIL oom\n"); return 1; }
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)(buf + (size_t)y * stride);
        for (int x = 0; x < w; x++) {
            uint32_t p = pixel(x, y, w, h) ^ (invert ? 0xffffffu : 0u);
            uint32_t r = p >> 16 & 0xff, g = p >> 8 & 0xff, b = p & 0xff;
            row[x] = r << v.red.offset | g << v.green.offset | b << v.blue.offset;
        }
    }
    /* write() (not mmap) so the DRM fbdev emulation gets damage for the whole screen at once. */
    size_t frame = (size_t)stride * (size_t)h, done = 0;
    lseek(fd, 0, SEEK_SET);
    while (done < frame) {
        ssize_t n = write(fd, buf + done, frame - done);
        if (n <= 0) { perror("write"); printf("VGPU-FAIL write\n"); return 1; }
        done += (size_t)n;
    }
    fsync(fd);
    printf("VGPU-IMAGE-DONE %dx%d%s\n", w, h, invert ? " inverted" : "");
    fflush(stdout);
    if (spin > 0) return spin_frames(fd, buf, w, h, stride, spin);
    return 0;
}
