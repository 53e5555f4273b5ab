package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** GET_CAPSET: capset_id, capset_version. */
public record GetCapset(long capsetId, long version) implements GpuCommand {
    static final int CAPSET_ID = 24, CAPSET_VERSION = 28;
    public static final int SIZE = 32;

    public static GetCapset read(ByteBuffer b) {
        return new GetCapset(Wire.u32(b, CAPSET_ID), Wire.u32(b, CAPSET_VERSION));
    }
}
