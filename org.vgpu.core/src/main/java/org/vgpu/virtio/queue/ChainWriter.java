package org.vgpu.virtio.queue;

import java.nio.ByteBuffer;

import org.vgpu.virtio.memory.GuestMemoryException;

/** Writes the device-writable bytes of a chain as one stream, across descriptor boundaries. STUB. */
public final class ChainWriter {
    public int remaining() { throw new UnsupportedOperationException(); }

    /** Writes min(length, remaining()) bytes of src[srcIndex..] (absolute); returns the count. */
    public int write(ByteBuffer src, int srcIndex, int length) throws GuestMemoryException { throw new UnsupportedOperationException(); }

    /** Bytes written so far (the used-ring length). */
    public int written() { throw new UnsupportedOperationException(); }
}
