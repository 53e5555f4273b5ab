package org.vgpu.virtio.queue;

import java.nio.ByteBuffer;

import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/** Reads the device-readable bytes of a chain as one stream, across descriptor boundaries. */
public final class ChainReader {
    private final SegmentCursor cursor = new SegmentCursor();

    public int remaining() {
        return cursor.remaining;
    }

    /** Reads min(length, remaining()) bytes into dst[dstIndex..] (absolute); returns the count. */
    public int read(ByteBuffer dst, int dstIndex, int length) throws GuestMemoryException {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length);
        }
        int n = Math.min(length, cursor.remaining);
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, cursor.contiguous());
            cursor.memory.read(cursor.address(), dst, dstIndex + done, chunk);
            cursor.advance(chunk);
            done += chunk;
        }
        return n;
    }

    /** Skips min(n, remaining()) bytes. */
    public void skip(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("skip " + n);
        }
        cursor.advance(Math.min(n, cursor.remaining));
    }

    void reset(GuestMemory memory, long[] addresses, int[] lengths, int first, int end,
            int total) {
        cursor.reset(memory, addresses, lengths, first, end, total);
    }
}
