package org.vgpu.backend.hostmem;

import java.util.Map;
import java.util.TreeMap;

import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * Plays the transport's HOST_VISIBLE region: each map is a real mmap of the backend's fd, standing
 * in for the guest's view of the window (what a KVM slot would show the guest at that offset).
 * Like QEMU's SHMEM_MAP it refuses a file shorter than the mapping (whose end would fault).
 */
final class FakeHostVisibleWindow implements SharedMemoryWindow {
    final long size;
    /** window offset -> {host address of the mapping, length}. */
    final Map<Long, long[]> maps = new TreeMap<>();

    FakeHostVisibleWindow(long size) {
        this.size = size;
    }

    @Override
    public int id() {
        return 1;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void map(long offset, int fd, long fdOffset, long length, boolean writable) throws MappingException {
        long fdSize;
        try {
            fdSize = java.nio.file.Files.size(java.nio.file.Path.of("/proc/self/fd", Integer.toString(fd)));
        } catch (java.io.IOException e) {
            throw new MappingException("fstat: " + e);
        }
        if (fdSize < fdOffset + length) {
            throw new MappingException("backing store size " + fdSize + " is too small for " + length + " bytes at " + fdOffset);
        }
        int prot = writable ? LinuxNative.PROT_READ | LinuxNative.PROT_WRITE : LinuxNative.PROT_READ;
        long a = LinuxNative.mmap(0, length, prot, LinuxNative.MAP_SHARED, fd, fdOffset);
        if (a == LinuxNative.MAP_FAILED) {
            throw new MappingException("mmap: errno " + LinuxNative.errno());
        }
        maps.put(offset, new long[] {a, length});
    }

    @Override
    public void unmap(long offset, long length) throws MappingException {
        long[] m = maps.remove(offset);
        if (m == null || m[1] != length) {
            throw new MappingException("no map of " + length + " bytes at " + offset);
        }
        LinuxNative.munmap(m[0], m[1]);
    }

    /** The guest reads length bytes at byte offset `at` of the blob it mapped at windowOffset. */
    byte[] guestRead(long windowOffset, long at, int length) {
        return new com.sun.jna.Pointer(maps.get(windowOffset)[0]).getByteArray(at, length);
    }

    /** The guest writes a le32 at byte offset `at` of the blob it mapped at windowOffset. */
    void guestWrite(long windowOffset, long at, int value) {
        new com.sun.jna.Pointer(maps.get(windowOffset)[0]).setInt(at, value);
    }
}
