package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_FLUSH: rect, resource_id, padding. A reused holder (see {@link HotCommands}). */
public final class ResourceFlush implements GpuCommand {
    static final int RECT = 24, RESOURCE_ID = 40;
    public static final int SIZE = 48;

    private final Rect rect = new Rect(0, 0, 0, 0);
    private int resourceId;

    ResourceFlush fill(ByteBuffer b) {
        rect.fill(b, RECT);
        resourceId = b.getInt(RESOURCE_ID);
        return this;
    }

    public Rect rect() {
        return rect;
    }

    public int resourceId() {
        return resourceId;
    }
}
