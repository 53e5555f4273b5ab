package org.vgpu.virtio.queue;

/** One validated descriptor chain: readable part then writable part. Reused by its queue. STUB. */
public final class DescriptorChain {
    public int head() { throw new UnsupportedOperationException(); }

    public ChainReader reader() { throw new UnsupportedOperationException(); }

    public ChainWriter writer() { throw new UnsupportedOperationException(); }
}
