package org.vgpu.renderer.virgl;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import org.vgpu.gpu.spi.BackingList;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * struct iovec arrays for virglrenderer, made from a resource's guest backing at the moment of a
 * transfer: each entry is checked with the guest memory's checked accessor (isValid) and split
 * where guest regions end, and its host address comes from the region that maps it. Made per
 * transfer, never kept by virglrenderer (no attach_iov), so a region removed later cannot leave
 * virglrenderer a stale pointer. Reuses its native array.
 */
final class GuestIovecs {
    static final int IOVEC_SIZE = 16;
    private Memory array = new Memory(64L * IOVEC_SIZE);

    /** Fills the array with the backing's host ranges; their count, or -1 if a range is not (all) guest memory. */
    int fill(BackingList backing) {
        GuestMemory memory = backing.memory();
        if (memory == null) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < backing.entries(); i++) {
            long gpa = backing.address(i);
            long left = backing.length(i);
            if (!memory.isValid(gpa, left)) {
                return -1;
            }
            while (left > 0) {
                MemoryRegion region = memory.regionAt(gpa);
                if (region == null) {
                    return -1; // no host mapping to hand out (a memory without regions)
                }
                long inRegion = Math.min(left, region.guestLast() - gpa + 1);
                ensure(n + 1);
                array.setLong((long) n * IOVEC_SIZE, region.hostAddress() + (gpa - region.guestBase())); // iov_base (64-bit hosts)
                array.setLong((long) n * IOVEC_SIZE + 8, inRegion);
                n++;
                gpa += inRegion;
                left -= inRegion;
            }
        }
        return n;
    }

    /** One host range (a readback buffer). */
    Pointer single(Pointer base, long length) {
        array.setPointer(0, base);
        array.setLong(8, length);
        return array;
    }

    Pointer memory() {
        return array;
    }

    private void ensure(int count) {
        if ((long) count * IOVEC_SIZE > array.size()) {
            Memory bigger = new Memory(Math.max((long) count, array.size() / IOVEC_SIZE * 2) * IOVEC_SIZE);
            bigger.write(0, array.getByteArray(0, (int) array.size()), 0, (int) array.size());
            array = bigger;
        }
    }
}
