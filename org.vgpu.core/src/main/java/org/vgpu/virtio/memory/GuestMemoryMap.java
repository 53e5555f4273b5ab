package org.vgpu.virtio.memory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Guest-physical memory made of non-overlapping {@link MemoryRegion}s. Lookups read an immutable,
 * sorted region array (binary search, no locking, no allocation); changes swap the array under
 * the write lock, which waits for every {@link GuestMemory.Lease}, so a region is never unmapped
 * while a leaseholder may be touching it. Accessing memory without a lease is only safe while no
 * region can be removed concurrently. Never call removeRegion/close while holding a lease on
 * the same thread: the write lock would wait for itself.
 */
public final class GuestMemoryMap implements GuestMemory, AutoCloseable {

    private static final MemoryRegion[] NONE = new MemoryRegion[0];

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Lock readLock = lock.readLock();
    private final Lease lease = readLock::unlock; // one object for all leases: lease() allocates nothing
    private volatile MemoryRegion[] regions = NONE; // sorted by guestBase (unsigned), never mutated
    private volatile long generation; // bumped with every change of regions, under the write lock

    /** Adds a region; IllegalArgumentException if it overlaps one already present. */
    public void addRegion(MemoryRegion region) {
        lock.writeLock().lock();
        try {
            MemoryRegion[] current = regions;
            for (MemoryRegion r : current) {
                if (Long.compareUnsigned(region.guestBase(), r.guestLast()) <= 0
                        && Long.compareUnsigned(r.guestBase(), region.guestLast()) <= 0) {
                    throw new IllegalArgumentException(region + " overlaps " + r);
                }
            }
            MemoryRegion[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = region;
            Arrays.sort(next, (a, b) -> Long.compareUnsigned(a.guestBase(), b.guestBase()));
            regions = next;
            generation++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Removes and unmaps the region starting at guestBase, after every outstanding lease is
     * closed. Returns false if there is no such region.
     */
    public boolean removeRegion(long guestBase) {
        lock.writeLock().lock();
        try {
            MemoryRegion[] current = regions;
            for (int i = 0; i < current.length; i++) {
                if (current[i].guestBase() == guestBase) {
                    MemoryRegion[] next = new MemoryRegion[current.length - 1];
                    System.arraycopy(current, 0, next, 0, i);
                    System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                    regions = next;
                    generation++;
                    current[i].close();
                    return true;
                }
            }
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The regions, sorted by guest base. */
    public List<MemoryRegion> regions() {
        return List.of(regions);
    }

    /**
     * Translates a VMM virtual address range (as vhost-user sends ring addresses) to a guest
     * physical address; the whole range must lie in one region.
     */
    public long userToGuest(long vmmUserAddr, long length) throws GuestMemoryException {
        if (length < 0) {
            throw new GuestMemoryException("negative length " + length);
        }
        for (MemoryRegion r : regions) {
            long offset = vmmUserAddr - r.vmmUserAddr();
            // unsigned: offset < size and length <= size - offset
            if (Long.compareUnsigned(offset, r.size()) < 0 && length <= r.size() - offset) {
                return r.guestBase() + offset;
            }
        }
        throw new GuestMemoryException(String.format("VMM address 0x%x+%d is not in guest memory", vmmUserAddr, length));
    }

    @Override
    public MemoryRegion regionAt(long gpa) {
        return find(regions, gpa);
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public Lease lease() {
        readLock.lock();
        return lease;
    }

    /** Removes and unmaps all regions (after outstanding leases end). */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            MemoryRegion[] current = regions;
            regions = NONE;
            generation++;
            for (MemoryRegion r : current) {
                r.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---- checked access ----

    @Override
    public boolean isValid(long gpa, long length) {
        return length == 0 || (length > 0 && isCovered(regions, gpa, length));
    }

    @Override
    public void read(long gpa, ByteBuffer dst, int dstIndex, int length) throws GuestMemoryException {
        checkLength(gpa, length);
        Objects.checkFromIndexSize(dstIndex, length, dst.limit());
        if (length == 0) {
            return;
        }
        MemoryRegion[] rs = regions;
        MemoryRegion r = find(rs, gpa);
        if (r != null) {
            long offset = gpa - r.guestBase();
            if (length <= r.windowRemaining(offset)) { // the common case: one region, one window, one copy
                dst.put(dstIndex, r.window(offset), MemoryRegion.windowIndex(offset), length);
                return;
            }
        }
        if (r == null || length - 1 > r.guestLast() - gpa) {
            requireCovered(rs, gpa, length); // may still span adjacent regions
        }
        long cur = gpa;
        int done = 0;
        while (done < length) {
            r = find(rs, cur);
            long offset = cur - r.guestBase();
            int chunk = (int) Math.min(length - done, r.windowRemaining(offset));
            dst.put(dstIndex + done, r.window(offset), MemoryRegion.windowIndex(offset), chunk);
            done += chunk;
            cur += chunk;
        }
    }

    @Override
    public void write(long gpa, ByteBuffer src, int srcIndex, int length) throws GuestMemoryException {
        checkLength(gpa, length);
        Objects.checkFromIndexSize(srcIndex, length, src.limit());
        if (length == 0) {
            return;
        }
        MemoryRegion[] rs = regions;
        MemoryRegion r = find(rs, gpa);
        if (r != null) {
            long offset = gpa - r.guestBase();
            if (length <= r.windowRemaining(offset)) { // the common case: one region, one window, one copy
                r.window(offset).put(MemoryRegion.windowIndex(offset), src, srcIndex, length);
                return;
            }
        }
        if (r == null || length - 1 > r.guestLast() - gpa) {
            requireCovered(rs, gpa, length);
        }
        long cur = gpa;
        int done = 0;
        while (done < length) {
            r = find(rs, cur);
            long offset = cur - r.guestBase();
            int chunk = (int) Math.min(length - done, r.windowRemaining(offset));
            r.window(offset).put(MemoryRegion.windowIndex(offset), src, srcIndex + done, chunk);
            done += chunk;
            cur += chunk;
        }
    }

    @Override
    public byte readByte(long gpa) throws GuestMemoryException {
        MemoryRegion r = find(regions, gpa);
        if (r == null) {
            throw unmapped(gpa, 1);
        }
        long offset = gpa - r.guestBase();
        return r.window(offset).get(MemoryRegion.windowIndex(offset));
    }

    @Override
    public short readShort(long gpa) throws GuestMemoryException {
        MemoryRegion r = regionHolding(gpa, 2);
        if (r == null) {
            return (short) readSpanning(gpa, 2);
        }
        long offset = gpa - r.guestBase();
        return r.window(offset).getShort(MemoryRegion.windowIndex(offset));
    }

    @Override
    public int readInt(long gpa) throws GuestMemoryException {
        MemoryRegion r = regionHolding(gpa, 4);
        if (r == null) {
            return (int) readSpanning(gpa, 4);
        }
        long offset = gpa - r.guestBase();
        return r.window(offset).getInt(MemoryRegion.windowIndex(offset));
    }

    @Override
    public long readLong(long gpa) throws GuestMemoryException {
        MemoryRegion r = regionHolding(gpa, 8);
        if (r == null) {
            return readSpanning(gpa, 8);
        }
        long offset = gpa - r.guestBase();
        return r.window(offset).getLong(MemoryRegion.windowIndex(offset));
    }

    @Override
    public void writeShort(long gpa, short value) throws GuestMemoryException {
        MemoryRegion r = regionHolding(gpa, 2);
        if (r == null) {
            writeSpanning(gpa, 2, value);
            return;
        }
        long offset = gpa - r.guestBase();
        r.window(offset).putShort(MemoryRegion.windowIndex(offset), value);
    }

    @Override
    public void writeInt(long gpa, int value) throws GuestMemoryException {
        MemoryRegion r = regionHolding(gpa, 4);
        if (r == null) {
            writeSpanning(gpa, 4, value);
            return;
        }
        long offset = gpa - r.guestBase();
        r.window(offset).putInt(MemoryRegion.windowIndex(offset), value);
    }

    @Override
    public void writeLong(long gpa, long value) throws GuestMemoryException {
        MemoryRegion r = regionHolding(gpa, 8);
        if (r == null) {
            writeSpanning(gpa, 8, value);
            return;
        }
        long offset = gpa - r.guestBase();
        r.window(offset).putLong(MemoryRegion.windowIndex(offset), value);
    }

    // ---- lookup ----

    /** The one region holding all of [gpa, gpa+width), or null if the range spans regions or is unmapped. */
    private MemoryRegion regionHolding(long gpa, int width) {
        MemoryRegion r = find(regions, gpa);
        return r != null && width - 1 <= r.guestLast() - gpa ? r : null;
    }

    /** Scalar access across two adjacent regions: rare, so byte by byte after a full check. */
    private long readSpanning(long gpa, int width) throws GuestMemoryException {
        requireCovered(regions, gpa, width);
        long value = 0;
        for (int i = 0; i < width; i++) {
            value |= (readByte(gpa + i) & 0xffL) << (8 * i);
        }
        return value;
    }

    private void writeSpanning(long gpa, int width, long value) throws GuestMemoryException {
        MemoryRegion[] rs = regions;
        requireCovered(rs, gpa, width);
        for (int i = 0; i < width; i++) {
            MemoryRegion r = find(rs, gpa + i);
            long offset = gpa + i - r.guestBase();
            r.window(offset).put(MemoryRegion.windowIndex(offset), (byte) (value >>> (8 * i)));
        }
    }

    /** The region containing gpa, or null: binary search on the sorted bases. */
    private static MemoryRegion find(MemoryRegion[] rs, long gpa) {
        int lo = 0;
        int hi = rs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            MemoryRegion r = rs[mid];
            if (Long.compareUnsigned(gpa, r.guestBase()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(gpa, r.guestLast()) > 0) {
                lo = mid + 1;
            } else {
                return r;
            }
        }
        return null;
    }

    /** Whether regions (possibly several adjacent ones) cover [gpa, gpa+length), length > 0, without wrapping. */
    private static boolean isCovered(MemoryRegion[] rs, long gpa, long length) {
        long last = gpa + (length - 1);
        if (Long.compareUnsigned(last, gpa) < 0) {
            return false; // wraps past 2^64
        }
        long cur = gpa;
        while (true) {
            MemoryRegion r = find(rs, cur);
            if (r == null) {
                return false;
            }
            if (Long.compareUnsigned(last, r.guestLast()) <= 0) {
                return true;
            }
            cur = r.guestLast() + 1; // cannot wrap: last > guestLast
        }
    }

    private static void requireCovered(MemoryRegion[] rs, long gpa, long length) throws GuestMemoryException {
        if (!isCovered(rs, gpa, length)) {
            throw unmapped(gpa, length);
        }
    }

    private static void checkLength(long gpa, int length) throws GuestMemoryException {
        if (length < 0) {
            throw new GuestMemoryException(String.format("negative length %d at 0x%x", length, gpa));
        }
    }

    private static GuestMemoryException unmapped(long gpa, long length) {
        return new GuestMemoryException(String.format(
                "guest range 0x%x+%d is unmapped, wraps around or leaves guest memory", gpa, length));
    }
}
