package org.vgpu.gpu.spi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Pointer;

import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * A resource whose pixels are the pages of a host fd (a HOST3D blob): mapped here for reading,
 * handed to the transport for mapping into the guest, with no guest pages of its own. The guest
 * writes these very pages, so a transfer moves nothing. Owns the fd and the mapping.
 */
public abstract class MappedFdResource implements BackendResource {
    private static final long PAGE = 4096;

    private final ResourceSpec spec;
    private final int fd;
    private final long length;
    private final long address;
    /** The mapping, little-endian, {@link #hostBytes()} long. */
    protected final ByteBuffer pixels;

    /**
     * Maps {@code size} bytes of fd, rounded up to whole pages (a last page's tail past a file's
     * end reads as zeros, no fault). Takes ownership of fd: closed by {@link #destroy()}, and on
     * failure here too.
     */
    protected MappedFdResource(ResourceSpec spec, int fd, long size, boolean writable) throws BackendException {
        this.spec = spec;
        this.fd = fd;
        this.length = (size + PAGE - 1) & -PAGE;
        int prot = LinuxNative.PROT_READ | (writable ? LinuxNative.PROT_WRITE : 0);
        long a = LinuxNative.mmap(0, length, prot, LinuxNative.MAP_SHARED, fd, 0);
        if (a == LinuxNative.MAP_FAILED) {
            int errno = LinuxNative.errno();
            LinuxNative.closeQuietly(fd);
            throw new BackendException("mmap of " + length + " bytes: errno " + errno, errno == 12);
        }
        this.address = a;
        this.pixels = new Pointer(a).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public final ResourceSpec spec() {
        return spec;
    }

    @Override
    public final long hostBytes() {
        return length;
    }

    @Override
    public final void attachBacking(GuestMemory memory, BackingList backing) throws BackendException {
        throw new BackendException("a host blob has no guest pages", false);
    }

    @Override
    public final void detachBacking() {
    }

    /** The guest wrote the pixels through its mapping of these very pages: nothing to move. */
    @Override
    public final long transferToHost(GuestMemory memory, int x, int y, int w, int h, long offset) {
        return 0;
    }

    @Override
    public final void readPixels(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
        spec.copyRect(pixels, x, y, w, h, dst, dstIndex, dstStride);
    }

    @Override
    public final ByteBuffer pixelMemory() {
        return pixels;
    }

    @Override
    public final int mappableFd() {
        return fd;
    }

    @Override
    public final void destroy() {
        LinuxNative.munmap(address, length);
        LinuxNative.closeQuietly(fd);
    }
}
