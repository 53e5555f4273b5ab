package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_FLUSH: rect, resource_id, padding. */
public record ResourceFlush(Rect rect, int resourceId) implements GpuCommand {
    static final int RECT = 24, RESOURCE_ID = 40;
    public static final int SIZE = 48;

    public static ResourceFlush read(ByteBuffer b) {
        return new ResourceFlush(Rect.read(b, RECT), b.getInt(RESOURCE_ID));
    }
}
