package org.vgpu.virtio.queue;

import java.lang.invoke.VarHandle;

import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/**
 * A VIRTIO 1.x split virtqueue (descriptor table, available ring, used ring) in guest memory.
 * Configured by a transport, drained by one device thread. All ring contents are untrusted:
 * every read goes through the checked {@link GuestMemory} accessors, descriptors are copied
 * into the reused {@link DescriptorChain} once and validated there.
 */
public final class SplitQueue {
    public static final int MAX_SIZE = 32768;

    static final int DESC_SIZE = 16;
    static final int F_NEXT = 1;
    static final int F_WRITE = 2;
    static final int F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    /** Indirect tables may hold at most MAX_SIZE descriptors (the spec says queue max; we are lenient). */
    static final long MAX_INDIRECT_BYTES = (long) MAX_SIZE * DESC_SIZE;

    private final int index;
    private final int maxSize;
    private final QueueStats stats = new QueueStats();
    private final DescriptorChain chain;

    private int size;
    private long descTable;
    private long availRing;
    private long usedRing;
    private boolean eventIdx;
    private volatile boolean ready; // written last by the transport: publishes the fields above

    // Free-running 16-bit ring indexes, kept in ints masked to 0xffff.
    private int nextAvail;
    private int nextUsed;
    private int signalledUsed; // nextUsed when shouldNotify last ran

    // The descriptor being parsed; fields, so parsing allocates nothing.
    private long descAddr;
    private long descLen;
    private int descFlags;
    private int descNext;

    public SplitQueue(int index, int maxSize) {
        if (index < 0) {
            throw new IllegalArgumentException("queue index " + index);
        }
        if (!isValidSize(maxSize, MAX_SIZE)) {
            throw new IllegalArgumentException("max queue size must be a power of two in 1.." + MAX_SIZE + ": " + maxSize);
        }
        this.index = index;
        this.maxSize = maxSize;
        this.size = maxSize;
        this.chain = new DescriptorChain(maxSize);
    }

    private static boolean isValidSize(int size, int max) {
        return size > 0 && size <= max && Integer.bitCount(size) == 1;
    }

    public int index() {
        return index;
    }

    public int maxSize() {
        return maxSize;
    }

    /** Power of two, 1..maxSize; otherwise IllegalArgumentException. */
    public void setSize(int size) {
        if (!isValidSize(size, maxSize)) {
            throw new IllegalArgumentException("queue size must be a power of two in 1.." + maxSize + ": " + size);
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** Guest-physical addresses of the three parts. */
    public void setAddresses(long descTable, long availRing, long usedRing) {
        this.descTable = descTable;
        this.availRing = availRing;
        this.usedRing = usedRing;
    }

    public long descTable() {
        return descTable;
    }

    public long availRing() {
        return availRing;
    }

    public long usedRing() {
        return usedRing;
    }

    public void setEventIdx(boolean enabled) {
        this.eventIdx = enabled;
    }

    public void setReady(boolean ready) {
        this.ready = ready;
    }

    public boolean isReady() {
        return ready;
    }

    /** vhost-user SET_VRING_BASE: the next available index the device will read (also the used idx). */
    public void setNextAvail(int idx) {
        nextAvail = idx & 0xffff;
        nextUsed = nextAvail;
        signalledUsed = nextAvail;
    }

    /** vhost-user GET_VRING_BASE. */
    public int nextAvail() {
        return nextAvail;
    }

    public int nextUsed() {
        return nextUsed;
    }

    /** Back to the initial state (size = maxSize, not ready, indexes 0); stats are kept. */
    public void reset() {
        ready = false;
        size = maxSize;
        descTable = 0;
        availRing = 0;
        usedRing = 0;
        eventIdx = false;
        setNextAvail(0);
    }

    /** Checks the rings (size, alignment) lie in guest memory. */
    public void validate(GuestMemory memory) throws QueueException {
        int eventBytes = eventIdx ? 2 : 0;
        check(memory, "descriptor table", descTable, 16, (long) DESC_SIZE * size);
        check(memory, "available ring", availRing, 2, 4 + 2L * size + eventBytes);
        check(memory, "used ring", usedRing, 4, 4 + 8L * size + eventBytes);
    }

    private void check(GuestMemory memory, String part, long gpa, int alignment, long length) throws QueueException {
        if ((gpa & (alignment - 1)) != 0) {
            throw new QueueException(String.format("queue %d: %s at 0x%x is not %d-byte aligned", index, part, gpa, alignment));
        }
        if (!memory.isValid(gpa, length)) {
            throw new QueueException(String.format("queue %d: %s 0x%x+%d is not in guest memory", index, part, gpa, length));
        }
    }

    /**
     * Whether the driver has made a chain available that {@link #pop} has not taken: one look at
     * the avail index, no side effect (a queue worker's busy-poll).
     */
    public boolean hasAvailable(GuestMemory memory) throws GuestMemoryException {
        return ready && (memory.readShort(availRing + 2) & 0xffff) != nextAvail;
    }

    /**
     * Next request, or null if none. The returned chain object is reused by the next pop.
     * Malformed chains are completed with 0 bytes internally, counted as rejected, and skipped;
     * a corrupt ring (avail idx too far ahead, head out of range) throws QueueException.
     */
    public DescriptorChain pop(GuestMemory memory) throws QueueException {
        if (!ready) {
            return null;
        }
        try {
            while (true) {
                int availIdx = memory.readShort(availRing + 2) & 0xffff;
                VarHandle.acquireFence(); // ring entries and descriptors are read after the index
                int pending = (availIdx - nextAvail) & 0xffff;
                if (pending > size) {
                    throw new QueueException(String.format("queue %d: avail idx %d is %d ahead of %d, size %d",
                            index, availIdx, pending, nextAvail, size));
                }
                if (pending == 0) {
                    if (!eventIdx || !armAvailEvent(memory)) {
                        return null;
                    }
                    continue;
                }
                int head = memory.readShort(availRing + 4 + 2L * (nextAvail & (size - 1))) & 0xffff;
                if (head >= size) {
                    throw new QueueException(String.format("queue %d: head %d >= size %d", index, head, size));
                }
                nextAvail = (nextAvail + 1) & 0xffff;
                if (parse(memory, head)) {
                    return chain;
                }
                stats.countRejected();
                publishUsed(memory, head, 0);
            }
        } catch (GuestMemoryException e) {
            throw ringFault(e);
        }
    }

    /**
     * Tells the driver (avail_event) to kick for the next buffer, then looks again: a buffer
     * made available before the driver saw the new avail_event would otherwise go unnoticed.
     * Returns true if buffers arrived meanwhile.
     */
    private boolean armAvailEvent(GuestMemory memory) throws GuestMemoryException {
        memory.writeShort(usedRing + 4 + 8L * size, (short) nextAvail);
        VarHandle.fullFence();
        return (memory.readShort(availRing + 2) & 0xffff) != nextAvail;
    }

    /**
     * Copies and validates the chain at head into {@link #chain}. Returns false for a malformed
     * chain; throws only if the descriptor table itself is unreadable.
     */
    private boolean parse(GuestMemory memory, int head) throws QueueException {
        chain.begin(head);
        long table = descTable;
        int tableSize = size;
        boolean indirect = false;
        int index = head;
        int budget = size; // descriptors a chain may have, direct and indirect together
        long total = 0;
        boolean sawWritable = false;
        while (true) {
            if (!readDescriptor(memory, table, index, indirect)) {
                return false;
            }
            if ((descFlags & F_INDIRECT) != 0) {
                if (indirect || (descFlags & F_NEXT) != 0 || descLen == 0 || descLen % DESC_SIZE != 0
                        || descLen > MAX_INDIRECT_BYTES || !memory.isValid(descAddr, descLen)) {
                    return false; // nested, chained, empty, ragged, huge or unmapped table
                }
                table = descAddr;
                tableSize = (int) (descLen / DESC_SIZE);
                indirect = true;
                index = 0;
                continue;
            }
            if (--budget < 0) {
                return false; // a loop, or more descriptors than the queue holds
            }
            boolean writable = (descFlags & F_WRITE) != 0;
            if (!writable && sawWritable) {
                return false; // readable buffers must all come before writable ones
            }
            sawWritable |= writable;
            total += descLen;
            if (total > Integer.MAX_VALUE || !memory.isValid(descAddr, descLen)) {
                return false;
            }
            chain.add(descAddr, (int) descLen, writable);
            if ((descFlags & F_NEXT) == 0) {
                chain.finish(memory);
                return true;
            }
            if (descNext >= tableSize) {
                return false;
            }
            index = descNext;
        }
    }

    /** Loads descriptor i of a table into the desc* fields; false if an indirect table became unreadable. */
    private boolean readDescriptor(GuestMemory memory, long table, int i, boolean indirect) throws QueueException {
        long at = table + (long) DESC_SIZE * i;
        try {
            descAddr = memory.readLong(at);
            descLen = memory.readInt(at + 8) & 0xffffffffL;
            descFlags = memory.readShort(at + 12) & 0xffff;
            descNext = memory.readShort(at + 14) & 0xffff;
            return true;
        } catch (GuestMemoryException e) {
            if (indirect) {
                return false; // the driver's table, checked at entry: its problem, not the ring's
            }
            throw ringFault(e);
        }
    }

    /** Puts the chain on the used ring with the number of bytes the device wrote. */
    public void complete(GuestMemory memory, DescriptorChain chain, int bytesWritten) throws QueueException {
        if (bytesWritten < 0 || bytesWritten > chain.writableLength()) {
            throw new IllegalArgumentException("bytes written " + bytesWritten + " outside 0.." + chain.writableLength());
        }
        try {
            publishUsed(memory, chain.head(), bytesWritten);
        } catch (GuestMemoryException e) {
            throw ringFault(e);
        }
        stats.countChain();
    }

    /**
     * Puts a chain popped earlier and not yet completed on the used ring by its head index (a
     * device that completes chains out of order, after the chain holder was reused for later
     * pops); bytesWritten was checked against that chain's writable length when it was written.
     */
    public void complete(GuestMemory memory, int head, int bytesWritten) throws QueueException {
        if (head < 0 || head >= size || bytesWritten < 0) {
            throw new IllegalArgumentException("head " + head + " or bytes written " + bytesWritten + " out of range");
        }
        try {
            publishUsed(memory, head, bytesWritten);
        } catch (GuestMemoryException e) {
            throw ringFault(e);
        }
        stats.countChain();
    }

    private void publishUsed(GuestMemory memory, int head, int length) throws GuestMemoryException {
        long element = usedRing + 4 + 8L * (nextUsed & (size - 1));
        memory.writeInt(element, head);
        memory.writeInt(element + 4, length);
        nextUsed = (nextUsed + 1) & 0xffff;
        VarHandle.releaseFence(); // the element is visible before the index that covers it
        memory.writeShort(usedRing + 2, (short) nextUsed);
    }

    /** Whether the driver wants an interrupt for what was completed since the last call (EVENT_IDX aware). */
    public boolean shouldNotify(GuestMemory memory) throws QueueException {
        int oldUsed = signalledUsed;
        int newUsed = nextUsed;
        signalledUsed = newUsed;
        if (oldUsed == newUsed) {
            return false;
        }
        VarHandle.fullFence(); // our used idx store is ordered before reading the driver's wishes
        boolean notify;
        try {
            if (eventIdx) {
                int usedEvent = memory.readShort(availRing + 4 + 2L * size) & 0xffff;
                notify = ((newUsed - usedEvent - 1) & 0xffff) < ((newUsed - oldUsed) & 0xffff);
            } else {
                notify = (memory.readShort(availRing) & AVAIL_F_NO_INTERRUPT) == 0;
            }
        } catch (GuestMemoryException e) {
            throw ringFault(e);
        }
        if (notify) {
            stats.countNotification();
        }
        return notify;
    }

    public QueueStats stats() {
        return stats;
    }

    private QueueException ringFault(GuestMemoryException e) {
        return new QueueException("queue " + index + ": " + e.getMessage());
    }

    @Override
    public String toString() {
        return String.format("queue %d size %d/%d %s avail %d used %d [%s]", index, size, maxSize,
                ready ? "ready" : "off", nextAvail, nextUsed, stats);
    }
}
