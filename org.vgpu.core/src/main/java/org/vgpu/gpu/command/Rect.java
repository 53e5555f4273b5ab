package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** struct virtio_gpu_rect: x, y, width, height, each a u32 widened to long so geometry checks cannot overflow. */
public record Rect(long x, long y, long width, long height) {
    public static final int SIZE = 16;
    static final int X = 0, Y = 4, WIDTH = 8, HEIGHT = 12;

    public static Rect read(ByteBuffer b, int at) {
        return new Rect(Wire.u32(b, at + X), Wire.u32(b, at + Y), Wire.u32(b, at + WIDTH), Wire.u32(b, at + HEIGHT));
    }

    public boolean empty() {
        return width == 0 || height == 0;
    }

    /** Whether the rect lies inside a w x h area (operands < 2^32: the sums cannot overflow). */
    public boolean within(long w, long h) {
        return x + width <= w && y + height <= h;
    }
}
