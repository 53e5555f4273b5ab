package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_CREATE_BLOB: resource_id, blob_mem, blob_flags, nr_entries, le64 blob_id, le64 size, then the entries. */
public record CreateBlob(int resourceId, long blobMem, long flags, long blobId, long size, MemEntries entries) implements GpuCommand {
    static final int RESOURCE_ID = 24, BLOB_MEM = 28, BLOB_FLAGS = 32, NR_ENTRIES = 36, BLOB_ID = 40, BLOB_SIZE = 48;
    public static final int SIZE = 56;

    public static CreateBlob read(ByteBuffer b, int length) {
        return new CreateBlob(b.getInt(RESOURCE_ID), Wire.u32(b, BLOB_MEM), Wire.u32(b, BLOB_FLAGS), b.getLong(BLOB_ID),
                b.getLong(BLOB_SIZE), MemEntries.read(b, SIZE, Wire.u32(b, NR_ENTRIES), length));
    }
}
