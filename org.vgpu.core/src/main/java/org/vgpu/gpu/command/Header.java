package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** struct virtio_gpu_ctrl_hdr: type, flags, le64 fence_id, ctx_id, u8 ring_idx, u8 pad[3]. */
public record Header(int type, int flags, long fenceId, int ctxId, int ringIdx) {
    public static final int SIZE = 24;
    public static final int TYPE = 0, FLAGS = 4, FENCE_ID = 8, CTX_ID = 16, RING_IDX = 20;

    public static Header read(ByteBuffer b) {
        return new Header(b.getInt(TYPE), b.getInt(FLAGS), b.getLong(FENCE_ID), b.getInt(CTX_ID), b.get(RING_IDX) & 0xff);
    }
}
