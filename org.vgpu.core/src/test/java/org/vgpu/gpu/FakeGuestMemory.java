package org.vgpu.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/** One RAM region [base, base + size) backed by a direct ByteBuffer; every access range-checked. */
public final class FakeGuestMemory implements GuestMemory {
    public final long base;
    public final ByteBuffer ram;
    public long accesses;
    /** Accesses that were attempted outside guest memory (and refused). The device should cause none. */
    public long violations;

    public FakeGuestMemory(long base, int size) {
        this.base = base;
        this.ram = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public boolean isValid(long gpa, long length) {
        if (length == 0) {
            return true;
        }
        return length > 0 && gpa >= base && gpa - base <= ram.capacity() && length <= ram.capacity() - (gpa - base);
    }

    private int check(long gpa, long length) throws GuestMemoryException {
        if (!isValid(gpa, length)) {
            violations++;
            throw new GuestMemoryException("outside guest memory: 0x" + Long.toHexString(gpa) + "+" + length);
        }
        accesses++;
        return (int) (gpa - base);
    }

    @Override
    public void read(long gpa, ByteBuffer dst, int dstIndex, int length) throws GuestMemoryException {
        if (length == 0) {
            return; // valid anywhere, touches nothing
        }
        int o = check(gpa, length);
        dst.put(dstIndex, ram, o, length);
    }

    @Override
    public void write(long gpa, ByteBuffer src, int srcIndex, int length) throws GuestMemoryException {
        if (length == 0) {
            return;
        }
        int o = check(gpa, length);
        ram.put(o, src, srcIndex, length);
    }

    @Override
    public byte readByte(long gpa) throws GuestMemoryException {
        return ram.get(check(gpa, 1));
    }

    @Override
    public short readShort(long gpa) throws GuestMemoryException {
        return ram.getShort(check(gpa, 2));
    }

    @Override
    public int readInt(long gpa) throws GuestMemoryException {
        return ram.getInt(check(gpa, 4));
    }

    @Override
    public long readLong(long gpa) throws GuestMemoryException {
        return ram.getLong(check(gpa, 8));
    }

    @Override
    public void writeShort(long gpa, short value) throws GuestMemoryException {
        ram.putShort(check(gpa, 2), value);
    }

    @Override
    public void writeInt(long gpa, int value) throws GuestMemoryException {
        ram.putInt(check(gpa, 4), value);
    }

    @Override
    public void writeLong(long gpa, long value) throws GuestMemoryException {
        ram.putLong(check(gpa, 8), value);
    }

    @Override
    public Lease lease() {
        return () -> { };
    }
}
