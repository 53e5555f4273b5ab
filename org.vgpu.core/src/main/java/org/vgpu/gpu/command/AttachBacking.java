package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_ATTACH_BACKING: resource_id, nr_entries, then the entries. */
public record AttachBacking(int resourceId, MemEntries entries) implements GpuCommand {
    static final int RESOURCE_ID = 24, NR_ENTRIES = 28;
    public static final int SIZE = 32;

    public static AttachBacking read(ByteBuffer b, int length) {
        return new AttachBacking(b.getInt(RESOURCE_ID), MemEntries.read(b, SIZE, Wire.u32(b, NR_ENTRIES), length));
    }
}
