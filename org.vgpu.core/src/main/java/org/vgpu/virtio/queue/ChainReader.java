package org.vgpu.virtio.queue;

import java.nio.ByteBuffer;

import org.vgpu.virtio.memory.GuestMemoryException;

/** Reads the device-readable bytes of a chain as one stream, across descriptor boundaries. STUB. */
public final class ChainReader {
    public int remaining() { throw new UnsupportedOperationException(); }

    /** Reads min(length, remaining()) bytes into dst[dstIndex..] (absolute); returns the count. */
    public int read(ByteBuffer dst, int dstIndex, int length) throws GuestMemoryException { throw new UnsupportedOperationException(); }

    /** Skips min(n, remaining()) bytes. */
    public void skip(int n) { throw new UnsupportedOperationException(); }
}
