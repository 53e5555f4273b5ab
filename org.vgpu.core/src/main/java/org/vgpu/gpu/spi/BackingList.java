package org.vgpu.gpu.spi;

import java.util.Arrays;

/**
 * A resource's guest backing: a scatter list of guest-physical ranges, already checked by the
 * device to lie inside guest memory. Offsets into "the backing" count across entries in order.
 */
public final class BackingList {
    private final long[] addresses;
    private final int[] lengths;
    private final long totalBytes;

    public BackingList(long[] addresses, int[] lengths) {
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

    @Override
    public String toString() {
        return "BackingList[" + entries() + " entries, " + totalBytes + " bytes"
                + (entries() <= 4 ? ", " + Arrays.toString(addresses) : "") + "]";
    }
}
