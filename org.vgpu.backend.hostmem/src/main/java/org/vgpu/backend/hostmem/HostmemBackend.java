package org.vgpu.backend.hostmem;

import org.osgi.service.component.annotations.Component;
import org.vgpu.gpu.spi.BackendCapabilities;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.sys.NativeException;

/**
 * Host-allocated memory that the transport maps into the guest (RESOURCE_MAP_BLOB): the guest
 * writes the pixels straight into the pages vgpu reads, so nothing is transferred or copied.
 * Serves exactly the resources the guest maps (HOST3D blobs); everything else keeps its guest pages.
 */
@Component(property = "service.ranking:Integer=50")
public final class HostmemBackend implements ResourceBackend {
    public static final String NAME = "hostmem";
    /** One blob at most 1 GiB: the default host-visible window. */
    static final long MAX_BYTES = 1L << 30;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(true, false, true, MAX_BYTES);
    }

    @Override
    public Probe probe(ResourceSpec spec, BackingList backing) {
        if (!spec.hostVisible()) {
            return Probe.decline("only resources the guest maps (HOST3D blobs); this one has guest pages");
        }
        return spec.sizeBytes() > MAX_BYTES ? Probe.decline("over " + (MAX_BYTES >> 20) + " MiB")
                : Probe.accept("sealed memfd the guest maps: its writes are the pixels, no copy");
    }

    @Override
    public BackendResource create(ResourceSpec spec) throws BackendException {
        if (!probe(spec, null).accepts()) {
            throw new BackendException("hostmem: " + probe(spec, null).reason(), false);
        }
        try {
            return HostMemoryResource.create(spec);
        } catch (NativeException e) {
            throw new BackendException("hostmem: " + e.getMessage(), true);
        } catch (BackendException e) {
            throw new BackendException("hostmem: " + e.getMessage(), true);
        }
    }
}
