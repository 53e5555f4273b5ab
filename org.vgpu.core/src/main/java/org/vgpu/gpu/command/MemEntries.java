package org.vgpu.gpu.command;

import static org.vgpu.gpu.protocol.Protocol.MAX_BACKING_ENTRIES;

import java.nio.ByteBuffer;

import org.vgpu.gpu.spi.BackingList;
import org.vgpu.virtio.memory.GuestMemory;

/**
 * The {le64 addr, le32 length, le32 padding} entries after ATTACH_BACKING and CREATE_BLOB: count
 * as the guest declared it, present the entries the request really holds. Read only while the
 * command is handled. Here the entries are checked against guest memory.
 */
public record MemEntries(ByteBuffer buffer, int offset, long count, int present) {
    public static final int ENTRY_SIZE = 16;
    static final int ADDR = 0, LENGTH = 8;

    /** count entries at offset of a request of length bytes. */
    static MemEntries read(ByteBuffer b, int offset, long count, int length) {
        int present = (int) Math.min(count, Math.max(0, length - offset) / ENTRY_SIZE);
        return new MemEntries(b, offset, count, present);
    }

    /** Whether every declared entry is in the request (a count above the limit is the caller's error to answer). */
    public boolean complete() {
        return count > MAX_BACKING_ENTRIES || present == count;
    }

    public long address(int i) {
        return buffer.getLong(entry(i) + ADDR);
    }

    public long length(int i) {
        return Wire.u32(buffer, entry(i) + LENGTH);
    }

    private int entry(int i) {
        if (i < 0 || i >= present) {
            throw new IndexOutOfBoundsException("entry " + i + " of " + present);
        }
        return offset + i * ENTRY_SIZE;
    }

    /** Sum of the lengths, or -1 if an entry lies outside guest RAM (or there is none) or is 2 GiB or more. */
    public long total(GuestMemory memory) {
        long total = 0;
        for (int i = 0; i < present; i++) {
            long addr = address(i);
            long len = length(i);
            // An entry of 2 GiB or more cannot be expressed in the SPI's int lengths; no guest driver sends one.
            if (len > Integer.MAX_VALUE || memory == null || !memory.isValid(addr, len)) {
                return -1;
            }
            total += len;
        }
        return total;
    }

    /** The entries as the backends' scatter list (checked with {@link #total} first). */
    public BackingList toBacking(GuestMemory memory) {
        long[] addrs = new long[present];
        int[] lens = new int[present];
        for (int i = 0; i < present; i++) {
            addrs[i] = address(i);
            lens[i] = (int) length(i);
        }
        return new BackingList(addrs, lens, memory);
    }
}
