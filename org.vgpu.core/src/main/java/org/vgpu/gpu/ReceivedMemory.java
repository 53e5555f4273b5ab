package org.vgpu.gpu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.Pointer;

import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * A HOST3D blob that is memory another process made (a compositor's keymap memfd, received over
 * a context's channel): the device owns a duplicate fd, maps it into the guest and reads it for
 * nothing but a scanout or a migration. Only a memfd sealed against shrinking qualifies (a
 * truncation could otherwise fault the guest's or our mapping); sealed against writes it is
 * mapped read-only.
 */
final class ReceivedMemory implements BackendResource {
    private static final long PAGE = 4096;

    private final ResourceSpec spec;
    private final int fd;
    private final long length;
    private final long address;
    private final ByteBuffer bytes;
    private final boolean writable;

    /** Takes ownership of fd (closed on failure too); size: the memory's size as the context learnt it. */
    ReceivedMemory(ResourceSpec spec, int fd, long size) throws BackendException {
        this.spec = spec;
        this.fd = fd;
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
        this.writable = (seals & LinuxNative.F_SEAL_WRITE) == 0;
        this.length = (size + PAGE - 1) & -PAGE; // the last page's tail past the end reads as zeros, no fault
        long a = LinuxNative.mmap(0, length, LinuxNative.PROT_READ, LinuxNative.MAP_SHARED, fd, 0);
        if (a == LinuxNative.MAP_FAILED) {
            LinuxNative.closeQuietly(fd);
            throw new BackendException("mmap received memory: errno " + LinuxNative.errno(), false);
        }
        this.address = a;
        this.bytes = new Pointer(a).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Whether the guest may write it (not sealed against writes). */
    boolean writable() {
        return writable;
    }

    @Override
    public ResourceSpec spec() {
        return spec;
    }

    @Override
    public long hostBytes() {
        return length;
    }

    @Override
    public void attachBacking(GuestMemory memory, BackingList backing) throws BackendException {
        throw new BackendException("received memory has no guest pages", false);
    }

    @Override
    public void detachBacking() {
    }

    @Override
    public long transferToHost(GuestMemory memory, int x, int y, int w, int h, long offset) {
        return 0;
    }

    @Override
    public void readPixels(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
        spec.copyRect(bytes, x, y, w, h, dst, dstIndex, dstStride);
    }

    @Override
    public void importContents(ByteBuffer src) {
        // another process's memory: nothing is moved into it
    }

    @Override
    public int mappableFd() {
        return fd;
    }

    @Override
    public void destroy() {
        LinuxNative.munmap(address, length);
        LinuxNative.closeQuietly(fd);
    }
}
