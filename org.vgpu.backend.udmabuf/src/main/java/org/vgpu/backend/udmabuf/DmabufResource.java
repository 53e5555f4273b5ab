package org.vgpu.backend.udmabuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Pointer;

import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.Dmabuf;
import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

/**
 * A resource whose pixels are the guest's own pages, shared as a dma-buf and mapped read-only:
 * TRANSFER is a cache sync, reading pixels reads the guest pages, nothing is copied into a host
 * buffer. The kernel pins the pages, so a VMM unmapping its memory cannot fault this mapping.
 */
final class DmabufResource implements BackendResource {
    private final ResourceSpec spec;
    private final Udmabuf device;
    private int dmabuf = -1;
    private long address;
    private long mappedBytes;
    private ByteBuffer pixels;
    /** What {@link #dmabuf()} hands displays: made once per attach, not per flush. */
    private Dmabuf exported;

    DmabufResource(ResourceSpec spec, Udmabuf device) {
        this.spec = spec;
        this.device = device;
    }

    @Override
    public ResourceSpec spec() {
        return spec;
    }

    @Override
    public long hostBytes() {
        return 0; // the guest's pages, not host memory
    }

    @Override
    public void attachBacking(GuestMemory memory, BackingList backing) throws BackendException {
        UdmabufRules.Plan plan = UdmabufRules.plan(backing, spec.sizeBytes(), device.listLimit, device.sizeLimitBytes);
        if (plan.declined() != null) {
            throw new BackendException(plan.declined(), false);
        }
        try {
            int fd = device.create(plan.items());
            long bytes = plan.items().stream().mapToLong(UdmabufRules.Item::size).sum();
            long addr = LinuxNative.mmap(0, bytes, LinuxNative.PROT_READ, LinuxNative.MAP_SHARED, fd, 0);
            if (addr == -1) {
                LinuxNative.closeQuietly(fd);
                throw new NativeException("mmap dma-buf", LinuxNative.errno());
            }
            detachBacking();
            dmabuf = fd;
            address = addr;
            mappedBytes = bytes;
            pixels = new Pointer(addr).getByteBuffer(0, spec.sizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
            exported = new Dmabuf(fd, spec.width(), spec.height(), (int) spec.stride(),
                    PixelFormat.of(spec.format()).drmFourcc(), Dmabuf.MODIFIER_LINEAR);
        } catch (NativeException e) {
            throw new BackendException("udmabuf: " + e.getMessage(), false);
        }
    }

    @Override
    public void detachBacking() {
        if (dmabuf >= 0) {
            pixels = null;
            exported = null;
            LinuxNative.munmap(address, mappedBytes);
            LinuxNative.closeQuietly(dmabuf);
            dmabuf = -1;
        }
    }

    /** The guest's pages are the pixels: a TRANSFER only makes the host's view coherent. */
    @Override
    public long transferToHost(GuestMemory memory, int x, int y, int w, int h, long offset) {
        if (dmabuf >= 0) {
            try {
                Udmabuf.sync(dmabuf, Udmabuf.DMA_BUF_SYNC_START | Udmabuf.DMA_BUF_SYNC_READ);
                Udmabuf.sync(dmabuf, Udmabuf.DMA_BUF_SYNC_END | Udmabuf.DMA_BUF_SYNC_READ);
            } catch (NativeException e) {
                // coherent on x86 anyway; the sync is for architectures that need it
            }
        }
        return 0;
    }

    @Override
    public void readPixels(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
        ByteBuffer src = pixels;
        if (src == null) {
            return;
        }
        spec.copyRect(src, x, y, w, h, dst, dstIndex, dstStride);
    }

    @Override
    public Dmabuf dmabuf() {
        return exported;
    }

    /** The guest's pages as this host maps them (null before there is a mapping). */
    @Override
    public ByteBuffer pixelMemory() {
        return pixels;
    }

    /**
     * Nothing to import: the pixels are the guest's pages themselves. A resource migrated here shows
     * what the guest last wrote, which is what it transferred before, for a guest that transfers.
     */
    @Override
    public void importContents(ByteBuffer src) {
    }

    @Override
    public void destroy() {
        detachBacking();
    }
}
