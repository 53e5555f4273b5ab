package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/**
 * struct virtio_gpu_rect: x, y, width, height, each a u32 widened to long so geometry checks
 * cannot overflow. Immutable to its users; the hot commands' holders refill theirs in place (see
 * {@link HotCommands}), so it is a class and not a record.
 */
public final class Rect {
    public static final int SIZE = 16;
    static final int X = 0, Y = 4, WIDTH = 8, HEIGHT = 12;

    private long x;
    private long y;
    private long width;
    private long height;

    public Rect(long x, long y, long width, long height) {
        this.x = x;
        this.y = y;
        this.width = width;
        this.height = height;
    }

    public static Rect read(ByteBuffer b, int at) {
        return new Rect(0, 0, 0, 0).fill(b, at);
    }

    /** Refills this rect from the wire (a hot command's holder only). */
    Rect fill(ByteBuffer b, int at) {
        x = Wire.u32(b, at + X);
        y = Wire.u32(b, at + Y);
        width = Wire.u32(b, at + WIDTH);
        height = Wire.u32(b, at + HEIGHT);
        return this;
    }

    public long x() {
        return x;
    }

    public long y() {
        return y;
    }

    public long width() {
        return width;
    }

    public long height() {
        return height;
    }

    public boolean empty() {
        return width == 0 || height == 0;
    }

    /** Whether the rect lies inside a w x h area (operands < 2^32: the sums cannot overflow). */
    public boolean within(long w, long h) {
        return x + width <= w && y + height <= h;
    }

    @Override
    public String toString() {
        return width + "x" + height + "+" + x + "+" + y;
    }
}
