package org.vgpu.gpu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.Pointer;

import org.vgpu.gpu.protocol.Protocol;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.MappedFdResource;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * A HOST3D blob that is memory another process made (a compositor's keymap memfd, received over
 * a context's channel): the device owns a duplicate fd, maps it into the guest and reads it for
 * nothing but a scanout or a migration. Only a memfd sealed against shrinking qualifies (a
 * truncation could otherwise fault the guest's or our mapping); sealed against writes it is
 * mapped read-only, here and in the guest.
 * <p>
 * A memfd shorter than the blob's mapping (a keymap's size is its text's, not whole pages) is
 * copied once into a page-sized one of the device's own, sealed alike: mapping past the end of a
 * file faults, and a VMM that maps it (QEMU's SHMEM_MAP) refuses a file shorter than the mapping.
 */
final class ReceivedMemory extends MappedFdResource {
    /** The most received memory copied to page size (a keymap is tens of KiB): a compositor cannot make the device copy gigabytes. */
    static final long MAX_COPIED = 16L << 20;
    private final boolean writable;

    private ReceivedMemory(ResourceSpec spec, int fd, long size, boolean writable) throws BackendException {
        super(spec, fd, size, false); // read here only: the guest's mapping is the one that may write
        this.writable = writable;
    }

    /** Takes ownership of fd (closed on failure too); size: the memory's size as the context learnt it. */
    static ReceivedMemory of(ResourceSpec spec, int fd, long size) throws BackendException {
        int seals = LinuxNative.fcntl(fd, LinuxNative.F_GET_SEALS, 0);
        long actual;
        try {
            actual = Files.size(Path.of("/proc/self/fd", Integer.toString(fd)));
        } catch (IOException e) {
            actual = -1;
        }
        if (seals < 0 || (seals & LinuxNative.F_SEAL_SHRINK) == 0 || actual < size) {
            LinuxNative.closeQuietly(fd);
            throw new BackendException("received memory not sealed against shrinking, or smaller than announced", false);
        }
        long mapped = Protocol.blobAligned(size);
        if (actual < mapped) {
            if (size > MAX_COPIED) {
                LinuxNative.closeQuietly(fd);
                throw new BackendException("received memory of " + size + " bytes is not whole pages and too large to copy", false);
            }
            fd = pageSizedCopy(fd, size, mapped, seals);
        }
        return new ReceivedMemory(spec, fd, size, (seals & LinuxNative.F_SEAL_WRITE) == 0);
    }

    /** size bytes of fd in a new memfd of mapped bytes with fd's seals (fd closed, also on failure). */
    private static int pageSizedCopy(int fd, long size, long mapped, int seals) throws BackendException {
        int copy = LinuxNative.memfd_create("vgpu-received-memory", LinuxNative.MFD_CLOEXEC | LinuxNative.MFD_ALLOW_SEALING);
        long src = LinuxNative.MAP_FAILED, dst = LinuxNative.MAP_FAILED;
        try {
            if (copy < 0 || LinuxNative.ftruncate(copy, mapped) < 0) {
                throw new BackendException("no memory for a page-sized copy of received memory", false);
            }
            src = LinuxNative.mmap(0, size, LinuxNative.PROT_READ, LinuxNative.MAP_SHARED, fd, 0);
            dst = LinuxNative.mmap(0, size, LinuxNative.PROT_READ | LinuxNative.PROT_WRITE, LinuxNative.MAP_SHARED, copy, 0);
            if (src == LinuxNative.MAP_FAILED || dst == LinuxNative.MAP_FAILED) {
                throw new BackendException("cannot map received memory to copy it", false);
            }
            new Pointer(dst).getByteBuffer(0, size).put(new Pointer(src).getByteBuffer(0, size));
            int keep = seals & (LinuxNative.F_SEAL_SHRINK | LinuxNative.F_SEAL_GROW | LinuxNative.F_SEAL_WRITE);
            LinuxNative.munmap(dst, size); // a writable mapping would keep F_SEAL_WRITE from being added
            dst = LinuxNative.MAP_FAILED;
            if (LinuxNative.fcntl(copy, LinuxNative.F_ADD_SEALS, keep | LinuxNative.F_SEAL_SHRINK | LinuxNative.F_SEAL_SEAL) < 0) {
                throw new BackendException("cannot seal the copy of received memory", false);
            }
            int done = copy;
            copy = -1;
            return done;
        } finally {
            if (src != LinuxNative.MAP_FAILED) {
                LinuxNative.munmap(src, size);
            }
            if (dst != LinuxNative.MAP_FAILED) {
                LinuxNative.munmap(dst, size);
            }
            LinuxNative.closeQuietly(copy);
            LinuxNative.closeQuietly(fd);
        }
    }

    /** Whether the guest may write it (not sealed against writes). */
    boolean writable() {
        return writable;
    }

    @Override
    public void importContents(ByteBuffer src) {
        // another process's memory: nothing is moved into it
    }
}
