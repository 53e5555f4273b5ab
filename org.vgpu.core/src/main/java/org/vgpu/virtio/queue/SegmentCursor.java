package org.vgpu.virtio.queue;

import org.vgpu.virtio.memory.GuestMemory;

/** Position in a run of chain segments [first, end): shared by ChainReader and ChainWriter. */
final class SegmentCursor {
    GuestMemory memory;
    private long[] addresses;
    private int[] lengths;
    private int segment;
    private int end;
    private int offset; // within the current segment
    int remaining;

    void reset(GuestMemory memory, long[] addresses, int[] lengths, int first, int end, int total) {
        this.memory = memory;
        this.addresses = addresses;
        this.lengths = lengths;
        this.segment = first;
        this.end = end;
        this.offset = 0;
        this.remaining = total;
        skipEmpty();
    }

    /** Guest address of the current position; only valid while remaining > 0. */
    long address() {
        return addresses[segment] + offset;
    }

    /** Contiguous bytes left in the current segment. */
    int contiguous() {
        return lengths[segment] - offset;
    }

    void advance(int n) {
        remaining -= n;
        while (n > 0) {
            int step = Math.min(n, lengths[segment] - offset);
            offset += step;
            n -= step;
            if (offset == lengths[segment]) {
                segment++;
                offset = 0;
            }
        }
        skipEmpty();
    }

    private void skipEmpty() {
        while (segment < end && lengths[segment] == 0) {
            segment++;
        }
    }
}
