package org.vgpu.itest.sample;

import java.nio.ByteBuffer;

import org.vgpu.gpu.spi.BackendCapabilities;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/**
 * An experimental backend as a third party would write one: pixels on the Java heap. The
 * integration test packs this class into a bundle of its own and drops it into the load folder.
 */
public final class SampleBackend implements ResourceBackend {
    static final long LIMIT = 64L << 20;

    @Override
    public String name() {
        return "sample";
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(false, false, false, LIMIT);
    }

    @Override
    public Probe probe(ResourceSpec spec, BackingList backing) {
        return spec.sizeBytes() <= LIMIT ? Probe.accept("heap pixels up to 64 MiB") : Probe.decline("over 64 MiB");
    }

    @Override
    public BackendResource create(ResourceSpec spec) {
        return new HeapResource(spec);
    }

    /** One resource: a heap array, filled from the backing one byte run at a time. */
    static final class HeapResource implements BackendResource {
        private final ResourceSpec spec;
        private final ByteBuffer pixels;
        private BackingList backing;

        HeapResource(ResourceSpec spec) {
            this.spec = spec;
            this.pixels = ByteBuffer.allocate((int) spec.sizeBytes());
        }

        @Override public ResourceSpec spec() { return spec; }
        @Override public long hostBytes() { return pixels.capacity(); }
        @Override public void attachBacking(GuestMemory memory, BackingList list) { backing = list; }
        @Override public void detachBacking() { backing = null; }

        @Override
        public long transferToHost(GuestMemory memory, int x, int y, int w, int h, long offset) throws GuestMemoryException {
            long moved = 0;
            for (int r = 0; backing != null && r < h; r++) {
                long from = offset + r * spec.stride();
                int to = (int) ((y + r) * spec.stride() + x * 4L);
                moved += readBacking(memory, from, to, w * 4);
            }
            return moved;
        }

        /** Walks the scatter list from its start for every run: simple, not fast (it is a sample). */
        private int readBacking(GuestMemory memory, long from, int to, int length) throws GuestMemoryException {
            long start = 0;
            int done = 0;
            for (int i = 0; i < backing.entries() && done < length; i++) {
                long end = start + backing.length(i);
                if (from + done < end) {
                    long within = from + done - start;
                    int n = (int) Math.min(length - done, end - (from + done));
                    memory.read(backing.address(i) + within, pixels, to + done, n);
                    done += n;
                }
                start = end;
            }
            return done;
        }

        @Override
        public void readPixels(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
            spec.copyRect(pixels, x, y, w, h, dst, dstIndex, dstStride);
        }

        @Override
        public void importContents(ByteBuffer src) {
            pixels.put(0, src, 0, pixels.capacity());
        }

        @Override
        public void destroy() {
        }
    }
}
