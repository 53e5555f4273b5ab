package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** struct virtio_gpu_box: x, y, z, w, h, d. */
public record Box(long x, long y, long z, long width, long height, long depth) {
    public static final int SIZE = 24;

    public static Box read(ByteBuffer b, int at) {
        return new Box(Wire.u32(b, at), Wire.u32(b, at + 4), Wire.u32(b, at + 8), Wire.u32(b, at + 12), Wire.u32(b, at + 16),
                Wire.u32(b, at + 20));
    }

    /** The box's x, y, width, height. */
    public Rect rect() {
        return new Rect(x, y, width, height);
    }
}
