package org.vgpu.gpu.command;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** CTX_CREATE: nlen, context_init (low 8 bits: the capset), debug_name[64]; debugName is null when nlen exceeds 64. */
public record CtxCreate(long nameLength, long contextInit, String debugName) implements GpuCommand {
    static final int NLEN = 24, CONTEXT_INIT = 28, DEBUG_NAME = 32;
    public static final int DEBUG_NAME_MAX = 64;
    public static final int SIZE = DEBUG_NAME + DEBUG_NAME_MAX;

    public static CtxCreate read(ByteBuffer b) {
        long nlen = Wire.u32(b, NLEN);
        String name = null;
        if (nlen <= DEBUG_NAME_MAX) {
            byte[] bytes = new byte[(int) nlen];
            b.get(DEBUG_NAME, bytes);
            name = new String(bytes, StandardCharsets.UTF_8);
        }
        return new CtxCreate(nlen, Wire.u32(b, CONTEXT_INIT), name);
    }
}
