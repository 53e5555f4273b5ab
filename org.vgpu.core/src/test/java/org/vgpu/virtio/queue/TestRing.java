package org.vgpu.virtio.queue;

import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/** Plays the driver: builds descriptor tables and rings in anonymous guest memory. */
final class TestRing implements AutoCloseable {
    static final long DESC = 0x1000;
    static final long AVAIL = 0x2000;
    static final long USED = 0x3000;
    static final long BUFFERS = 0x10000;
    static final long MEMORY_SIZE = 1 << 20;

    final GuestMemoryMap memory = new GuestMemoryMap();
    final SplitQueue queue;
    final int size;
    private int availIdx;

    TestRing(int size) throws Exception {
        this(size, size);
    }

    TestRing(int maxSize, int size) throws Exception {
        memory.addRegion(MemoryRegion.anonymous(0, MEMORY_SIZE));
        this.size = size;
        queue = new SplitQueue(0, maxSize);
        queue.setSize(size);
        queue.setAddresses(DESC, AVAIL, USED);
        queue.validate(memory);
        queue.setReady(true);
    }

    /** Writes a descriptor into the main table. */
    TestRing desc(int index, long addr, long len, int flags, int next) throws GuestMemoryException {
        return descAt(DESC, index, addr, len, flags, next);
    }

    /** Writes a descriptor into any table (e.g. an indirect one). */
    TestRing descAt(long table, int index, long addr, long len, int flags, int next) throws GuestMemoryException {
        long at = table + 16L * index;
        memory.writeLong(at, addr);
        memory.writeInt(at + 8, (int) len);
        memory.writeShort(at + 12, (short) flags);
        memory.writeShort(at + 14, (short) next);
        return this;
    }

    /** Makes head available and bumps avail idx (release order is implicit: same thread). */
    TestRing publish(int head) throws GuestMemoryException {
        memory.writeShort(AVAIL + 4 + 2L * (availIdx % size), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
        memory.writeShort(AVAIL + 2, (short) availIdx);
        return this;
    }

    void startAt(int idx) throws GuestMemoryException {
        availIdx = idx & 0xffff;
        memory.writeShort(AVAIL + 2, (short) availIdx);
        memory.writeShort(USED + 2, (short) availIdx);
        queue.setNextAvail(idx);
    }

    void setAvailIdx(int idx) throws GuestMemoryException {
        memory.writeShort(AVAIL + 2, (short) idx);
    }

    void setAvailFlags(int flags) throws GuestMemoryException {
        memory.writeShort(AVAIL, (short) flags);
    }

    void setUsedEvent(int idx) throws GuestMemoryException {
        memory.writeShort(AVAIL + 4 + 2L * size, (short) idx);
    }

    int availEvent() throws GuestMemoryException {
        return memory.readShort(USED + 4 + 8L * size) & 0xffff;
    }

    int usedIdx() throws GuestMemoryException {
        return memory.readShort(USED + 2) & 0xffff;
    }

    /** id of used ring element k (free-running index). */
    int usedId(int k) throws GuestMemoryException {
        return memory.readInt(USED + 4 + 8L * (k % size));
    }

    int usedLen(int k) throws GuestMemoryException {
        return memory.readInt(USED + 4 + 8L * (k % size) + 4);
    }

    @Override
    public void close() {
        memory.close();
    }
}
