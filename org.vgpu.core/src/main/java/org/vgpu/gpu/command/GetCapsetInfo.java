package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** GET_CAPSET_INFO: capset_index, padding. */
public record GetCapsetInfo(long index) implements GpuCommand {
    static final int CAPSET_INDEX = 24;
    public static final int SIZE = 32;

    public static GetCapsetInfo read(ByteBuffer b) {
        return new GetCapsetInfo(Wire.u32(b, CAPSET_INDEX));
    }
}
