package org.vgpu.virtio.queue;

import org.vgpu.virtio.memory.GuestMemory;

/**
 * A VIRTIO 1.x split virtqueue (descriptor table, available ring, used ring) in guest memory.
 * Configured by a transport, drained by a device. All ring contents are untrusted.
 * STUB: signatures are the contract; bodies are being implemented.
 */
public final class SplitQueue {
    public static final int MAX_SIZE = 32768;

    public SplitQueue(int index, int maxSize) { throw new UnsupportedOperationException(); }

    public int index() { throw new UnsupportedOperationException(); }

    public int maxSize() { throw new UnsupportedOperationException(); }

    /** Power of two, 1..maxSize; otherwise IllegalArgumentException. */
    public void setSize(int size) { throw new UnsupportedOperationException(); }

    public int size() { throw new UnsupportedOperationException(); }

    /** Guest-physical addresses of the three parts. */
    public void setAddresses(long descTable, long availRing, long usedRing) { throw new UnsupportedOperationException(); }

    public long descTable() { throw new UnsupportedOperationException(); }

    public long availRing() { throw new UnsupportedOperationException(); }

    public long usedRing() { throw new UnsupportedOperationException(); }

    public void setEventIdx(boolean enabled) { throw new UnsupportedOperationException(); }

    public void setReady(boolean ready) { throw new UnsupportedOperationException(); }

    public boolean isReady() { throw new UnsupportedOperationException(); }

    /** vhost-user SET_VRING_BASE: the next available index the device will read (also the used idx). */
    public void setNextAvail(int idx) { throw new UnsupportedOperationException(); }

    /** vhost-user GET_VRING_BASE. */
    public int nextAvail() { throw new UnsupportedOperationException(); }

    public int nextUsed() { throw new UnsupportedOperationException(); }

    /** Back to the initial state (size = maxSize, not ready, indexes 0); stats are kept. */
    public void reset() { throw new UnsupportedOperationException(); }

    /** Checks the rings (size, alignment) lie in guest memory. */
    public void validate(GuestMemory memory) throws QueueException { throw new UnsupportedOperationException(); }

    /**
     * Next request, or null if none. The returned chain object is reused by the next pop.
     * Malformed chains are completed with 0 bytes internally, counted as rejected, and skipped;
     * a corrupt ring (avail idx too far ahead, head out of range) throws QueueException.
     */
    public DescriptorChain pop(GuestMemory memory) throws QueueException { throw new UnsupportedOperationException(); }

    /** Puts the chain on the used ring with the number of bytes the device wrote. */
    public void complete(GuestMemory memory, DescriptorChain chain, int bytesWritten) throws QueueException { throw new UnsupportedOperationException(); }

    /** Whether the driver wants an interrupt for what was completed since the last call (EVENT_IDX aware). */
    public boolean shouldNotify(GuestMemory memory) throws QueueException { throw new UnsupportedOperationException(); }

    public QueueStats stats() { throw new UnsupportedOperationException(); }
}
