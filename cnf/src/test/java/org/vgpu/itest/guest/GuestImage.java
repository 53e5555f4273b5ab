package org.vgpu.itest.guest;

/** The known image the test guest draws (Java twin of pixel() in cnf/scripts/guest/vgpu-fbtest.c). */
public final class GuestImage {
    private static final int[] BARS = { 0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000 };

    private GuestImage() {
    }

    /** 0xRRGGBB of pixel (x, y) on a w x h screen. */
    public static int pixel(int x, int y, int w, int h) {
        int band = y * 3 / h;
        if (band == 0) {
            return BARS[x * 8 / w];
        }
        if (band == 1) {
            int r = x * 255 / (w - 1);
            int g = y * 255 / (h - 1);
            int b = (x ^ y) & 0xff;
            return r << 16 | g << 8 | b;
        }
        int cx = x >> 4, cy = y >> 4;
        if (((cx ^ cy) & 1) != 0) {
            return (cy * 37) & 0xff;
        }
        return 0xf0f0f0 ^ ((cx * 11) & 0xff) << 8;
    }

    /** 0xAARRGGBB of pixel (x, y) of the guest's 64x64 cursor (twin of cursor_pixel() in vgpu-fbtest.c). */
    public static int cursorPixel(int x, int y) {
        return 0xff000000 | (x * 4) << 16 | (y * 4) << 8 | 0x80;
    }

    /** Number of pixels of an RGB image (0xRRGGBB per pixel, row-major) that differ from the known image. */
    public static long mismatches(int[] rgb, int w, int h) {
        return mismatches(rgb, w, h, false);
    }

    /** The same against the inverted image (vgpu-fbtest --invert). */
    public static long mismatches(int[] rgb, int w, int h, boolean inverted) {
        int flip = inverted ? 0xffffff : 0;
        long bad = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if ((rgb[y * w + x] & 0xffffff) != (pixel(x, y, w, h) ^ flip)) {
                    bad++;
                }
            }
        }
        return bad;
    }
}
