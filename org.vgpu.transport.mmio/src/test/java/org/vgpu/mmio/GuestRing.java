package org.vgpu.mmio;

import java.nio.ByteBuffer;

import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/**
 * Plays the driver's side of one split virtqueue in guest memory: a descriptor table, the
 * available (driver) ring and the used (device) ring at fixed offsets from base, and one
 * request/response buffer pair per descriptor slot.
 */
final class GuestRing {
    static final int SLOT_BYTES = 0x400; // room for a virtio-gpu display info response
    private static final int F_NEXT = 1;
    private static final int F_WRITE = 2;

    final GuestMemory memory;
    final long base;
    final int size;
    private int availIdx;

    /** Clears [base, base + 64 KiB) so a reused ring starts from index 0. */
    GuestRing(GuestMemory memory, long base, int size) throws GuestMemoryException {
        this.memory = memory;
        this.base = base;
        this.size = size;
        ByteBuffer zeros = ByteBuffer.allocate(0x10000);
        memory.write(base, zeros, 0, zeros.capacity());
    }

    long desc() {
        return base;
    }

    long driver() {
        return base + 0x1000;
    }

    long device() {
        return base + 0x2000;
    }

    private long request(int slot) {
        return base + 0x4000 + (long) SLOT_BYTES * 2 * slot;
    }

    private long response(int slot) {
        return request(slot) + SLOT_BYTES;
    }

    /** Puts request + a writable buffer of the same length on the ring (descriptors 2k, 2k+1). */
    void send(byte[] request) throws GuestMemoryException {
        send(request, request.length);
    }

    /** Puts request + a writable buffer of responseLength bytes on the ring. */
    void send(byte[] request, int responseLength) throws GuestMemoryException {
        int slot = availIdx % (size / 2);
        int head = 2 * slot;
        memory.write(request(slot), ByteBuffer.wrap(request), 0, request.length);
        descriptor(head, request(slot), request.length, F_NEXT, head + 1);
        descriptor(head + 1, response(slot), responseLength, F_WRITE, 0);
        memory.writeShort(driver() + 4 + 2L * (availIdx % size), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
        memory.writeShort(driver() + 2, (short) availIdx);
    }

    /** Claims far more available buffers than the ring holds: a corrupt ring. */
    void corruptAvailIdx() throws GuestMemoryException {
        memory.writeShort(driver() + 2, (short) (availIdx + size + 1));
    }

    private void descriptor(int index, long addr, int len, int flags, int next) throws GuestMemoryException {
        long at = desc() + 16L * index;
        memory.writeLong(at, addr);
        memory.writeInt(at + 8, len);
        memory.writeShort(at + 12, (short) flags);
        memory.writeShort(at + 14, (short) next);
    }

    int usedIdx() throws GuestMemoryException {
        return memory.readShort(device() + 2) & 0xffff;
    }

    int usedLen(int k) throws GuestMemoryException {
        return memory.readInt(device() + 4 + 8L * (k % size) + 4);
    }

    /** The response bytes of the k-th request sent. */
    byte[] response(int k, int length) throws GuestMemoryException {
        ByteBuffer out = ByteBuffer.allocate(length);
        memory.read(response(k % (size / 2)), out, 0, length);
        return out.array();
    }
}
