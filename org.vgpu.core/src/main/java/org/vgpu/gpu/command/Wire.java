package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** Little-endian field reads at absolute offsets of a request buffer. */
final class Wire {
    private Wire() {
    }

    static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffff_ffffL;
    }
}
