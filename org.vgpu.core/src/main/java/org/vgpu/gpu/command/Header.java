package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/**
 * struct virtio_gpu_ctrl_hdr: type, flags, le64 fence_id, ctx_id, u8 ring_idx, u8 pad[3]. Every
 * request has one, so the decoder refills one holder per request instead of allocating (a record
 * here cost 40 bytes per TRANSFER in TransferBenchmark whenever escape analysis gave up).
 */
public final class Header {
    public static final int SIZE = 24;
    public static final int TYPE = 0, FLAGS = 4, FENCE_ID = 8, CTX_ID = 16, RING_IDX = 20;

    private int type;
    private int flags;
    private long fenceId;
    private int ctxId;
    private int ringIdx;

    /** Refills this header from the request's first SIZE bytes. */
    public Header fill(ByteBuffer b) {
        type = b.getInt(TYPE);
        flags = b.getInt(FLAGS);
        fenceId = b.getLong(FENCE_ID);
        ctxId = b.getInt(CTX_ID);
        ringIdx = b.get(RING_IDX) & 0xff;
        return this;
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public long fenceId() {
        return fenceId;
    }

    public int ctxId() {
        return ctxId;
    }

    public int ringIdx() {
        return ringIdx;
    }
}
