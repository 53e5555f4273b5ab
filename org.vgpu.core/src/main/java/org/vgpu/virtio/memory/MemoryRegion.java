package org.vgpu.virtio.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

import com.sun.jna.Pointer;

/**
 * One contiguous range of guest-physical memory mapped MAP_SHARED from a file descriptor.
 * The host mapping is seen through little-endian direct ByteBuffer windows of at most 1 GiB
 * (plus a small overlap so a scalar never straddles two windows), so regions above 2 GiB work.
 * The region owns its fd and closes it with the mapping.
 */
public final class MemoryRegion implements AutoCloseable {

    static final int WINDOW_SHIFT = 30;
    static final long WINDOW_SIZE = 1L << WINDOW_SHIFT;
    static final long WINDOW_MASK = WINDOW_SIZE - 1;
    /** Extra bytes each window reaches into the next one: the widest scalar access. */
    private static final int WINDOW_OVERLAP = 8;

    private final int fd;
    private final long mmapOffset;
    private final long guestBase;
    private final long size;
    private final long vmmUserAddr;
    private final long mapping; // what mmap returned (page aligned)
    private final long mappingLength;
    private final long hostAddr; // host address of guestBase
    private final ByteBuffer[] windows;
    private boolean closed;

    private MemoryRegion(int fd, long mmapOffset, long guestBase, long size, long vmmUserAddr,
            long mapping, long mappingLength, long hostAddr) {
        this.fd = fd;
        this.mmapOffset = mmapOffset;
        this.guestBase = guestBase;
        this.size = size;
        this.vmmUserAddr = vmmUserAddr;
        this.mapping = mapping;
        this.mappingLength = mappingLength;
        this.hostAddr = hostAddr;
        int count = (int) ((size + WINDOW_SIZE - 1) >>> WINDOW_SHIFT);
        this.windows = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long start = (long) i << WINDOW_SHIFT;
            long length = Math.min(WINDOW_SIZE + WINDOW_OVERLAP, size - start);
            windows[i] = new Pointer(hostAddr + start).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * Maps [mmapOffset, mmapOffset+size) of fd read-write and shared, as guest-physical
     * [guestBase, guestBase+size) that the VMM sees at vmmUserAddr. Takes ownership of fd
     * (also when this fails). mmapOffset need not be page aligned.
     */
    public static MemoryRegion map(int fd, long mmapOffset, long guestBase, long size, long vmmUserAddr)
            throws NativeException {
        return map(fd, mmapOffset, guestBase, size, vmmUserAddr, false);
    }

    private static MemoryRegion map(int fd, long mmapOffset, long guestBase, long size, long vmmUserAddr,
            boolean vmmIsHost) throws NativeException {
        try {
            checkLayout(mmapOffset, guestBase, size, vmmUserAddr);
            long page = LinuxNative.getpagesize();
            long slack = mmapOffset % page; // mmap wants a page-aligned offset
            long length = size + slack;
            long mapping = LinuxNative.mmap(0, length, LinuxNative.PROT_READ | LinuxNative.PROT_WRITE,
                    LinuxNative.MAP_SHARED | LinuxNative.MAP_NORESERVE, fd, mmapOffset - slack);
            if (mapping == LinuxNative.MAP_FAILED) {
                throw new NativeException("mmap", LinuxNative.errno());
            }
            long host = mapping + slack;
            return new MemoryRegion(fd, mmapOffset, guestBase, size, vmmIsHost ? host : vmmUserAddr, mapping, length,
                    host);
        } catch (NativeException | RuntimeException e) {
            LinuxNative.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * Fresh zeroed memory backed by a memfd sealed against shrinking (so the mapping can never
     * lose its pages under us): for tests and in-process VMs. vmmUserAddr is the host address.
     */
    public static MemoryRegion anonymous(long guestBase, long size) throws NativeException {
        checkLayout(0, guestBase, size, 0);
        int fd = LinuxNative.check("memfd_create",
                LinuxNative.memfd_create("vgpu-guest", LinuxNative.MFD_CLOEXEC | LinuxNative.MFD_ALLOW_SEALING));
        try {
            LinuxNative.check("ftruncate", LinuxNative.ftruncate(fd, size));
            LinuxNative.check("fcntl F_ADD_SEALS",
                    LinuxNative.fcntl(fd, LinuxNative.F_ADD_SEALS, LinuxNative.F_SEAL_SHRINK));
        } catch (NativeException e) {
            LinuxNative.close(fd);
            throw e;
        }
        return map(fd, 0, guestBase, size, 0, true);
    }

    private static void checkLayout(long mmapOffset, long guestBase, long size, long vmmUserAddr) {
        if (size <= 0) {
            throw new IllegalArgumentException("region size " + size);
        }
        if (mmapOffset < 0) {
            throw new IllegalArgumentException("mmap offset " + mmapOffset);
        }
        if (Long.compareUnsigned(guestBase + size - 1, guestBase) < 0) {
            throw new IllegalArgumentException("region wraps around: 0x" + Long.toHexString(guestBase) + "+" + size);
        }
        if (vmmUserAddr != 0 && Long.compareUnsigned(vmmUserAddr + size - 1, vmmUserAddr) < 0) {
            throw new IllegalArgumentException("VMM address range wraps around");
        }
    }

    public long guestBase() {
        return guestBase;
    }

    public long size() {
        return size;
    }

    /** Last guest-physical address in the region (inclusive, so it cannot overflow). */
    public long guestLast() {
        return guestBase + size - 1;
    }

    /** Where the VMM process maps this region (vhost-user translates ring addresses through it). */
    public long vmmUserAddr() {
        return vmmUserAddr;
    }

    public int fd() {
        return fd;
    }

    public long mmapOffset() {
        return mmapOffset;
    }

    /** Host address of guestBase in this process, for native consumers (e.g. udmabuf, memcpy). */
    public long hostAddress() {
        return hostAddr;
    }

    /** The window holding region offset; valid for up to 8 bytes at {@link #windowIndex}. */
    ByteBuffer window(long offset) {
        return windows[(int) (offset >>> WINDOW_SHIFT)];
    }

    static int windowIndex(long offset) {
        return (int) (offset & WINDOW_MASK);
    }

    /** Bytes from offset to the end of its window (without overlap) or region, whichever is first. */
    long windowRemaining(long offset) {
        long windowEnd = (offset & ~WINDOW_MASK) + WINDOW_SIZE;
        return Math.min(windowEnd, size) - offset;
    }

    /** Unmaps and closes the fd. The caller guarantees nobody accesses the region any more. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LinuxNative.munmap(mapping, mappingLength);
            LinuxNative.closeQuietly(fd);
        }
    }

    @Override
    public String toString() {
        return String.format("region[gpa 0x%x+0x%x, vmm 0x%x, fd %d@0x%x]", guestBase, size, vmmUserAddr, fd, mmapOffset);
    }
}
