package org.vgpu.display.vnc;

/** Raw encoding (RFB 7.7.1): the rect's pixels in the client's format, row by row. */
final class RawEncoder {
    private RawEncoder() {
    }

    static void encode(OutBuffer out, int[] pixels, int stride, int x, int y, int w, int h, ClientPixelFormat pf) {
        out.rect(x, y, w, h, Encodings.RAW);
        out.ensure(w * h * pf.bytesPerPixel);
        byte[] d = out.data;
        int pos = out.pos;
        for (int r = 0; r < h; r++) {
            int base = (y + r) * stride + x;
            for (int c = 0; c < w; c++) {
                pos = pf.putPixel(d, pos, pixels[base + c]);
            }
        }
        out.pos = pos;
    }
}
