package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/**
 * SUBMIT_3D: size, padding, then the command buffer. commands holds what the request really
 * carries of it (at most size bytes); {@link #complete} says whether that is all of it.
 */
public record Submit3d(long size, Bytes commands) implements GpuCommand {
    static final int BUFFER_SIZE = 24;
    public static final int SIZE = 32;

    public static Submit3d read(ByteBuffer b, int length) {
        long size = Wire.u32(b, BUFFER_SIZE);
        return new Submit3d(size, new Bytes(b, SIZE, (int) Math.min(size, length - SIZE)));
    }

    public boolean complete() {
        return commands.length() == size;
    }
}
