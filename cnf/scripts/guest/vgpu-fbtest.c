/*
 * vgpu-fbtest: runs inside the test guest (static binary in the initramfs).
 * Draws a deterministic known image on /dev/fb0 so that a host-side QMP screendump can be compared
 * pixel-exactly with org.vgpu.itest.guest.GuestImage (the Java twin of pixel() below: keep them in step),
 * and prints the fb geometry and the DRM connector modes (from EDID) to stdout.
 *
 * Usage: vgpu-fbtest [fbdev]      (default /dev/fb0)
 * Output lines: "VGPU-FB WxH bpp=B stride=S", "VGPU-MODES <connector> m1,m2,...", "VGPU-IMAGE-DONE WxH".
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
#include <unistd.h>

/* The known image: 0xRRGGBB for pixel (x, y) of a w x h screen. Integer maths only. */
static uint32_t pixel(int x, int y, int w, int h) {
    static const uint32_t bars[8] = {0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
                                     0xff00ff, 0xff0000, 0x0000ff, 0x000000};
    int band = y * 3 / h;
    if (band == 0)                       /* colour bars */
        return bars[x * 8 / w];
    if (band == 1) {                     /* gradient: red along x, green along y, blue from x^y */
        uint32_t r = (uint32_t)(x * 255 / (w - 1));
        uint32_t g = (uint32_t)(y * 255 / (h - 1));
        uint32_t b = (uint32_t)((x ^ y) & 0xff);
        return r << 16 | g << 8 | b;
    }
    /* checker of 16x16 cells, alternating two colours that change per row of cells */
    int cx = x >> 4, cy = y >> 4;
    if ((cx ^ cy) & 1)
        return 0x000000 | (uint32_t)((cy * 37) & 0xff);
    return 0xf0f0f0 ^ (uint32_t)((cx * 11) & 0xff) << 8;
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

int main(int argc, char **argv) {
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
            uint32_t p = pixel(x, y, w, h);
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
    printf("VGPU-IMAGE-DONE %dx%d\n", w, h);
    fflush(stdout);
    return 0;
}
