package org.vgpu.virtio.queue;

import org.vgpu.virtio.memory.GuestMemory;

/**
 * One validated descriptor chain: its readable segments, then its writable ones. Every segment
 * was checked to lie in guest memory when the chain was popped. Reused by its queue: the
 * segment arrays are allocated once, sized to the queue, so popping allocates nothing.
 */
public final class DescriptorChain {
    private final long[] addresses;
    private final int[] lengths;
    private final ChainReader reader = new ChainReader();
    private final ChainWriter writer = new ChainWriter();
    private int head = -1;
    private int count;
    private int readableCount;
    private long readableBytes;
    private long writableBytes;

    /** An empty chain; queues create their own with {@code DescriptorChain(capacity)}. */
    public DescriptorChain() {
        this(0);
    }

    DescriptorChain(int capacity) {
        addresses = new long[capacity];
        lengths = new int[capacity];
    }

    /** Descriptor index of the chain head: the id the used ring reports back. */
    public int head() {
        return head;
    }

    /** Stream over the device-readable bytes (positioned at the start after pop). */
    public ChainReader reader() {
        return reader;
    }

    /** Stream into the device-writable bytes (positioned at the start after pop). */
    public ChainWriter writer() {
        return writer;
    }

    /** Total device-readable bytes. */
    public int readableLength() {
        return (int) readableBytes;
    }

    /** Total device-writable bytes. */
    public int writableLength() {
        return (int) writableBytes;
    }

    void begin(int headIndex) {
        head = headIndex;
        count = 0;
        readableCount = 0;
        readableBytes = 0;
        writableBytes = 0;
    }

    /** Caller guarantees capacity (queue size bounds the descriptors of a chain) and order. */
    void add(long address, int length, boolean writable) {
        addresses[count] = address;
        lengths[count] = length;
        count++;
        if (writable) {
            writableBytes += length;
        } else {
            readableCount = count;
            readableBytes += length;
        }
    }

    void finish(GuestMemory memory) {
        reader.reset(memory, addresses, lengths, 0, readableCount, (int) readableBytes);
        writer.reset(memory, addresses, lengths, readableCount, count, (int) writableBytes);
    }

    int capacity() {
        return addresses.length;
    }
}
