package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_UNMAP_BLOB: resource_id, padding. */
public record UnmapBlob(int resourceId) implements GpuCommand {
    static final int RESOURCE_ID = 24;
    public static final int SIZE = 32;

    public static UnmapBlob read(ByteBuffer b) {
        return new UnmapBlob(b.getInt(RESOURCE_ID));
    }
}
