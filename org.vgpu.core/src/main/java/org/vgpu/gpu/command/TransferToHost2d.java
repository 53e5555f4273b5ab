package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** TRANSFER_TO_HOST_2D: rect, le64 offset (into the backing), resource_id, padding. A reused holder (see {@link HotCommands}). */
public final class TransferToHost2d implements GpuCommand {
    static final int RECT = 24, OFFSET = 40, RESOURCE_ID = 48;
    public static final int SIZE = 56;

    private final Rect rect = new Rect(0, 0, 0, 0);
    private long offset;
    private int resourceId;

    TransferToHost2d fill(ByteBuffer b) {
        rect.fill(b, RECT);
        offset = b.getLong(OFFSET);
        resourceId = b.getInt(RESOURCE_ID);
        return this;
    }

    public Rect rect() {
        return rect;
    }

    public long offset() {
        return offset;
    }

    public int resourceId() {
        return resourceId;
    }
}
