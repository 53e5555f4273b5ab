package org.vgpu.gpu.command;

/** CTX_DESTROY: the header alone (ctx_id). */
public record CtxDestroy() implements GpuCommand {
    public static final int SIZE = Header.SIZE;
    public static final CtxDestroy INSTANCE = new CtxDestroy();
}
