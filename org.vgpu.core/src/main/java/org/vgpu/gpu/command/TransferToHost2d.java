package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** TRANSFER_TO_HOST_2D: rect, le64 offset (into the backing), resource_id, padding. */
public record TransferToHost2d(Rect rect, long offset, int resourceId) implements GpuCommand {
    static final int RECT = 24, OFFSET = 40, RESOURCE_ID = 48;
    public static final int SIZE = 56;

    public static TransferToHost2d read(ByteBuffer b) {
        return new TransferToHost2d(Rect.read(b, RECT), b.getLong(OFFSET), b.getInt(RESOURCE_ID));
    }
}
