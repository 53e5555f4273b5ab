package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** CTX_ATTACH_RESOURCE (attach) and CTX_DETACH_RESOURCE: resource_id, padding. */
public record CtxResource(boolean attach, int resourceId) implements GpuCommand {
    static final int RESOURCE_ID = 24;
    public static final int SIZE = 32;

    public static CtxResource read(ByteBuffer b, boolean attach) {
        return new CtxResource(attach, b.getInt(RESOURCE_ID));
    }
}
