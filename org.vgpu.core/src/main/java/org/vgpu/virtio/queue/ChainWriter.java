package org.vgpu.virtio.queue;

import java.nio.ByteBuffer;

import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/** Writes the device-writable bytes of a chain as one stream, across descriptor boundaries. */
public final class ChainWriter {
    private final SegmentCursor cursor = new SegmentCursor();
    private int written;

    public int remaining() {
        return cursor.remaining;
    }

    /** Writes min(length, remaining()) bytes of src[srcIndex..] (absolute); returns the count. */
    public int write(ByteBuffer src, int srcIndex, int length) throws GuestMemoryException {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length);
        }
        int n = Math.min(length, cursor.remaining);
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, cursor.contiguous());
            cursor.memory.write(cursor.address(), src, srcIndex + done, chunk);
            cursor.advance(chunk);
            done += chunk;
            written += chunk;
        }
        return n;
    }

    /** Bytes written so far (the used-ring length). */
    public int written() {
        return written;
    }

    void reset(GuestMemory memory, long[] addresses, int[] lengths, int first, int end, int total) {
        cursor.reset(memory, addresses, lengths, first, end, total);
        written = 0;
    }
}
