package org.vgpu.backend.hostmem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Pointer;

import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

/**
 * One blob's pixels in a memfd, sealed against shrinking and growing (so a mapping can never
 * fault on truncation, and udmabuf could share it), mapped here for reading and handed to the
 * transport for mapping into the guest.
 */
final class HostMemoryResource implements BackendResource {
    private static final long PAGE = 4096;

    private final ResourceSpec spec;
    private final long length;
    private final int fd;
    private final long address;
    private final ByteBuffer pixels;

    HostMemoryResource(ResourceSpec spec) throws NativeException {
        this.spec = spec;
        this.length = (spec.sizeBytes() + PAGE - 1) & -PAGE;
        int f = LinuxNative.check("memfd_create", LinuxNative.memfd_create("vgpu-hostmem-" + Integer.toUnsignedString(spec.resourceId()),
                LinuxNative.MFD_CLOEXEC | LinuxNative.MFD_ALLOW_SEALING));
        try {
            LinuxNative.check("ftruncate", LinuxNative.ftruncate(f, length));
            LinuxNative.check("F_ADD_SEALS", LinuxNative.fcntl(f, LinuxNative.F_ADD_SEALS,
                    LinuxNative.F_SEAL_SHRINK | LinuxNative.F_SEAL_GROW | LinuxNative.F_SEAL_SEAL));
            long a = LinuxNative.mmap(0, length, LinuxNative.PROT_READ | LinuxNative.PROT_WRITE, LinuxNative.MAP_SHARED, f, 0);
            if (a == LinuxNative.MAP_FAILED) {
                throw new NativeException("mmap hostmem", LinuxNative.errno());
            }
            this.fd = f;
            this.address = a;
            this.pixels = new Pointer(a).getByteBuffer(0, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (NativeException | RuntimeException e) {
            LinuxNative.closeQuietly(f);
            throw e;
        }
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
        throw new BackendException("hostmem: a host blob has no guest pages", false);
    }

    @Override
    public void detachBacking() {
    }

    /** The guest wrote the pixels through its mapping of these very pages: nothing to move. */
    @Override
    public long transferToHost(GuestMemory memory, int x, int y, int w, int h, long offset) {
        return 0;
    }

    @Override
    public void readPixels(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
        spec.copyRect(pixels, x, y, w, h, dst, dstIndex, dstStride);
    }

    @Override
    public void importContents(ByteBuffer src) {
        pixels.put(0, src, 0, (int) spec.sizeBytes());
    }

    @Override
    public int mappableFd() {
        return fd;
    }

    @Override
    public void destroy() {
        LinuxNative.munmap(address, length);
        LinuxNative.close(fd);
    }
}
