package org.vgpu.display.vnc;

import java.nio.ByteBuffer;

/**
 * A client's outgoing bytes: a big-endian byte array that grows (by doubling) until it fits the
 * largest update and is then reused for every update.
 */
final class OutBuffer {
    byte[] data = new byte[64 * 1024];
    int pos;

    void reset() {
        pos = 0;
    }

    void ensure(int more) {
        if (pos + more > data.length) {
            long want = Math.max((long) data.length * 2, (long) pos + more);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("update larger than 2 GiB");
            }
            data = java.util.Arrays.copyOf(data, (int) want);
        }
    }

    OutBuffer u8(int v) {
        ensure(1);
        data[pos++] = (byte) v;
        return this;
    }

    OutBuffer u16(int v) {
        ensure(2);
        data[pos++] = (byte) (v >>> 8);
        data[pos++] = (byte) v;
        return this;
    }

    OutBuffer u32(int v) {
        ensure(4);
        data[pos++] = (byte) (v >>> 24);
        data[pos++] = (byte) (v >>> 16);
        data[pos++] = (byte) (v >>> 8);
        data[pos++] = (byte) v;
        return this;
    }

    void putU32At(int at, int v) {
        data[at] = (byte) (v >>> 24);
        data[at + 1] = (byte) (v >>> 16);
        data[at + 2] = (byte) (v >>> 8);
        data[at + 3] = (byte) v;
    }

    /** A rectangle header: x, y, w, h, encoding. */
    OutBuffer rect(int x, int y, int w, int h, int encoding) {
        return u16(x).u16(y).u16(w).u16(h).u32(encoding);
    }

    private ByteBuffer wrapped;

    /** The bytes written so far, as a buffer over the array (no copy; the same buffer until the array grows). */
    ByteBuffer view() {
        if (wrapped == null || wrapped.array() != data) {
            wrapped = ByteBuffer.wrap(data);
        }
        return wrapped.limit(pos).position(0);
    }
}
