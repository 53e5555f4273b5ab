package org.vgpu.gpu.spi;

import org.vgpu.virtio.memory.GuestMemory;

import java.util.Arrays;

/**
 * A resource's guest backing: a scatter list of guest-physical ranges, already checked by the
 * device to lie inside guest memory. Offsets into "the backing" count across entries in order.
 */
public final class BackingList {
    private final long[] addresses;
    private final int[] lengths;
    private final long totalBytes;
    private final GuestMemory memory;

    public BackingList(long[] addresses, int[] lengths) {
        this(addresses, lengths, null);
    }

    /** memory: the guest memory the addresses refer to, so a backend can see which region holds them. */
    public BackingList(long[] addresses, int[] lengths, GuestMemory memory) {
        this.memory = memory;
        if (addresses.length != lengths.length) {
            throw new IllegalArgumentException("addresses and lengths differ in count");
        }
        this.addresses = addresses.clone();
        this.lengths = lengths.clone();
        long total = 0;
        for (int len : lengths) {
            if (len < 0) {
                throw new IllegalArgumentException("negative length");
            }
            total += len;
        }
        this.totalBytes = total;
    }

    public int entries() {
        return addresses.length;
    }

    public long address(int i) {
        return addresses[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    public long totalBytes() {
        return totalBytes;
    }

    /** The guest memory of these addresses, or null if unknown. */
    public GuestMemory memory() {
        return memory;
    }

    /** The scatter list of bytes [offset, offset + length) of this one (entries cut at both ends). */
    public BackingList slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > totalBytes) {
            throw new IllegalArgumentException("slice " + offset + "+" + length + " of " + totalBytes + " bytes");
        }
        java.util.List<long[]> parts = new java.util.ArrayList<>();
        long start = 0;
        for (int i = 0; i < addresses.length && length > 0; i++) {
            long end = start + lengths[i];
            if (offset < end && lengths[i] > 0) {
                long within = offset - start;
                long n = Math.min(length, end - offset);
                parts.add(new long[] { addresses[i] + within, n });
                offset += n;
                length -= n;
            }
            start = end;
        }
        long[] a = new long[parts.size()];
        int[] l = new int[parts.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = parts.get(i)[0];
            l[i] = (int) parts.get(i)[1];
        }
        return new BackingList(a, l, memory);
    }

    @Override
    public String toString() {
        return "BackingList[" + entries() + " entries, " + totalBytes + " bytes"
                + (entries() <= 4 ? ", " + Arrays.toString(addresses) : "") + "]";
    }
}
