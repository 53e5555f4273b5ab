package org.vgpu.mmio.vm;

import java.util.Map;
import java.util.TreeMap;

/**
 * Who owns which guest-physical range (RAM, APIC pages, device windows, extra memory slots), so
 * that nothing is placed on top of something else. Ranges are keyed by base address.
 */
final class AddressSpace {

    record Range(String owner, long base, long size) {
        long last() {
            return base + size - 1;
        }
    }

    private final TreeMap<Long, Range> ranges = new TreeMap<>(Long::compareUnsigned);

    /** Claims [base, base+size) for owner; IllegalArgumentException if it overlaps a claimed range. */
    synchronized void claim(String owner, long base, long size) {
        if (size <= 0 || Long.compareUnsigned(base + size - 1, base) < 0) {
            throw new IllegalArgumentException(String.format("bad range 0x%x+0x%x for %s", base, size, owner));
        }
        Range r = new Range(owner, base, size);
        for (Range other : ranges.values()) {
            if (VmMemoryLayout.overlaps(base, size, other.base(), other.size())) {
                throw new IllegalArgumentException(String.format("%s at 0x%x+0x%x overlaps %s at 0x%x+0x%x",
                        owner, base, size, other.owner(), other.base(), other.size()));
            }
        }
        ranges.put(base, r);
    }

    synchronized boolean release(long base) {
        return ranges.remove(base) != null;
    }

    /** The range containing address, or null. */
    synchronized Range find(long address) {
        Map.Entry<Long, Range> e = ranges.floorEntry(address);
        if (e == null || Long.compareUnsigned(address, e.getValue().last()) > 0) {
            return null;
        }
        return e.getValue();
    }
}
