package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_MAP_BLOB: resource_id, padding, le64 offset (into the host-visible region). */
public record MapBlob(int resourceId, long offset) implements GpuCommand {
    static final int RESOURCE_ID = 24, OFFSET = 32;
    public static final int SIZE = 40;

    public static MapBlob read(ByteBuffer b) {
        return new MapBlob(b.getInt(RESOURCE_ID), b.getLong(OFFSET));
    }
}
