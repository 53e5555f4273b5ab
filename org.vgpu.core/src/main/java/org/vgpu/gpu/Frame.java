package org.vgpu.gpu;

import java.nio.ByteBuffer;

import org.vgpu.gpu.protocol.Protocol;

/** A captured scanout: width x height pixels, 0xAARRGGBB, row-major. */
public record Frame(int width, int height, int[] argb) {

    /** Alpha-blends a 64x64 cursor image whose top-left corner is at (left, top). */
    static void blendCursor(int[] dst, int width, int height, ByteBuffer cursor, int left, int top) {
        int size = Protocol.CURSOR_SIZE;
        for (int cy = 0; cy < size; cy++) {
            int y = top + cy;
            if (y < 0 || y >= height) {
                continue;
            }
            for (int cx = 0; cx < size; cx++) {
                int x = left + cx;
                if (x < 0 || x >= width) {
                    continue;
                }
                int src = cursor.getInt((cy * size + cx) * 4);
                int a = src >>> 24;
                if (a == 0) {
                    continue;
                }
                int d = dst[y * width + x];
                dst[y * width + x] = 0xff00_0000 | blend(src >> 16, d >> 16, a) << 16 | blend(src >> 8, d >> 8, a) << 8 | blend(src, d, a);
            }
        }
    }

    private static int blend(int s, int d, int a) {
        return ((s & 0xff) * a + (d & 0xff) * (255 - a) + 127) / 255;
    }
}
