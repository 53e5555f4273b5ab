/*
 * The known image every guest test draws, shared by vgpu-fbtest.c and vgpu-hostblob.c; its Java
 * twin is org.vgpu.itest.guest.GuestImage.pixel (keep them in step).
 */
#ifndef VGPU_KNOWN_IMAGE_H
#define VGPU_KNOWN_IMAGE_H

#include <stdint.h>

/* The known image: 0xRRGGBB for pixel (x, y) of a w x h screen. Integer maths only. */
static inline uint32_t pixel(int x, int y, int w, int h) {
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

#endif
