package org.vgpu.gpu;

import java.nio.ByteBuffer;

import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.gpu.spi.BackendCapabilities;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/** A copy backend that takes only host-visible resources and claims a mappable fd (0), for MAP_BLOB with a fake window. */
final class MappableCopyBackend implements ResourceBackend {
    private final CopyBackend copy = new CopyBackend();

    @Override
    public String name() {
        return "mappable";
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(false, false, true, Integer.MAX_VALUE);
    }

    @Override
    public Probe probe(ResourceSpec spec, BackingList backing) {
        return spec.hostVisible() ? copy.probe(spec, backing) : Probe.decline("host-visible resources only");
    }

    @Override
    public BackendResource create(ResourceSpec spec) throws BackendException {
        BackendResource r = copy.create(spec);
        return new BackendResource() {
            @Override public ResourceSpec spec() { return r.spec(); }
            @Override public long hostBytes() { return r.hostBytes(); }
            @Override public void attachBacking(GuestMemory m, BackingList b) throws BackendException { r.attachBacking(m, b); }
            @Override public void detachBacking() { r.detachBacking(); }
            @Override public long transferToHost(GuestMemory m, int x, int y, int w, int h, long o) throws GuestMemoryException {
                return r.transferToHost(m, x, y, w, h, o);
            }
            @Override public void readPixels(int x, int y, int w, int h, ByteBuffer d, int i, int s) { r.readPixels(x, y, w, h, d, i, s); }
            @Override public void exportContents(ByteBuffer dst) { r.exportContents(dst); }
            @Override public void importContents(ByteBuffer src) { r.importContents(src); }
            @Override public int mappableFd() { return 0; }
            @Override public void destroy() { r.destroy(); }
        };
    }
}
