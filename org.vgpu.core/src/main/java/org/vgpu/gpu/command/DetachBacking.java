package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_DETACH_BACKING: resource_id, padding. */
public record DetachBacking(int resourceId) implements GpuCommand {
    static final int RESOURCE_ID = 24;
    public static final int SIZE = 32;

    public static DetachBacking read(ByteBuffer b) {
        return new DetachBacking(b.getInt(RESOURCE_ID));
    }
}
