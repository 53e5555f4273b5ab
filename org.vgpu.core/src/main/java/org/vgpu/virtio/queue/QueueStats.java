package org.vgpu.virtio.queue;

/** Counters for the shell. STUB: fields become thread-safe counters. */
public final class QueueStats {
    public long kicks() { throw new UnsupportedOperationException(); }

    public long notifications() { throw new UnsupportedOperationException(); }

    public long chains() { throw new UnsupportedOperationException(); }

    public long rejectedChains() { throw new UnsupportedOperationException(); }

    public void countKick() { throw new UnsupportedOperationException(); }
}
