package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** GET_EDID: scanout, padding. */
public record GetEdid(long scanoutId) implements GpuCommand {
    static final int SCANOUT = 24;
    public static final int SIZE = 32;

    public static GetEdid read(ByteBuffer b) {
        return new GetEdid(Wire.u32(b, SCANOUT));
    }
}
