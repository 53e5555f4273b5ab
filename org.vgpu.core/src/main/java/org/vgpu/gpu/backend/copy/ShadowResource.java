package org.vgpu.gpu.backend.copy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/**
 * A resource held in a host shadow buffer. TRANSFER copies backing ranges with one bulk
 * GuestMemory.read per (row x entry) fragment; full-width transfers are one contiguous range,
 * so a page-scattered 1080p frame costs one read per guest page.
 */
final class ShadowResource implements BackendResource {
    private final ResourceSpec spec;
    private final int stride;
    private final ByteBuffer shadow;

    // The attached backing: entry i covers backing offsets [starts[i], starts[i] + lengths[i]).
    private long[] addresses;
    private int[] lengths;
    private long[] starts;

    ShadowResource(ResourceSpec spec) {
        this.spec = spec;
        this.stride = (int) spec.stride();
        this.shadow = ByteBuffer.allocateDirect((int) spec.sizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public ResourceSpec spec() {
        return spec;
    }

    @Override
    public long hostBytes() {
        return shadow.capacity();
    }

    @Override
    public void attachBacking(GuestMemory memory, BackingList backing) {
        int n = backing.entries();
        long[] a = new long[n];
        int[] l = new int[n];
        long[] s = new long[n];
        long offset = 0;
        for (int i = 0; i < n; i++) {
            a[i] = backing.address(i);
            l[i] = backing.length(i);
            s[i] = offset;
            offset += l[i];
        }
        addresses = a;
        lengths = l;
        starts = s;
    }

    @Override
    public void detachBacking() {
        addresses = null;
        lengths = null;
        starts = null;
    }

    @Override
    public long transferToHost(GuestMemory memory, int x, int y, int w, int h, long offset) throws GuestMemoryException {
        if (w == 0 || h == 0 || addresses == null) {
            return 0;
        }
        int rowBytes = w * ResourceSpec.BYTES_PER_PIXEL;
        int dst = y * stride + x * ResourceSpec.BYTES_PER_PIXEL;
        if (rowBytes == stride) { // whole rows: source and destination are both contiguous
            copyFromBacking(memory, offset, dst, rowBytes * h);
            return (long) rowBytes * h;
        }
        for (int r = 0; r < h; r++) {
            copyFromBacking(memory, offset + (long) r * stride, dst + r * stride, rowBytes);
        }
        return (long) rowBytes * h;
    }

    /** Copies backing bytes [from, from + length) into shadow[dst ..]; the device checked the range. */
    private void copyFromBacking(GuestMemory memory, long from, int dst, int length) throws GuestMemoryException {
        int i = entryAt(from);
        long within = from - starts[i];
        while (length > 0) {
            int n = (int) Math.min(length, lengths[i] - within);
            if (n > 0) { // zero-length entries carry no address worth touching
                memory.read(addresses[i] + within, shadow, dst, n);
            }
            dst += n;
            length -= n;
            within = 0;
            i++;
        }
    }

    /** Last entry starting at or before offset (zero-length entries are skipped by the copy loop). */
    private int entryAt(long offset) {
        int lo = 0;
        int hi = starts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public void importContents(ByteBuffer src) {
        shadow.put(0, src, 0, shadow.capacity());
    }

    @Override
    public void readPixels(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
        spec.copyRect(shadow, x, y, w, h, dst, dstIndex, dstStride);
    }

    @Override
    public ByteBuffer pixelMemory() {
        return shadow;
    }

    @Override
    public void destroy() {
        detachBacking();
    }
}
