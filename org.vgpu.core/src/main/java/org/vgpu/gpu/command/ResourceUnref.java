package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_UNREF: resource_id, padding. */
public record ResourceUnref(int resourceId) implements GpuCommand {
    static final int RESOURCE_ID = 24;
    public static final int SIZE = 32;

    public static ResourceUnref read(ByteBuffer b) {
        return new ResourceUnref(b.getInt(RESOURCE_ID));
    }
}
