package org.vgpu.gpu.backend.copy;

import org.osgi.service.component.annotations.Component;
import org.vgpu.gpu.spi.BackendCapabilities;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;

/**
 * The always-available backend: each resource has a host shadow buffer, and TRANSFER_TO_HOST_2D
 * copies guest pages into it. Works for any guest memory and any backing layout.
 */
@Component(service = ResourceBackend.class, property = "service.ranking:Integer=-100")
public final class CopyBackend implements ResourceBackend {

    public static final String NAME = "copy";

    /** One direct ByteBuffer per resource, so at most 2 GiB - 1. */
    static final long MAX_RESOURCE_BYTES = Integer.MAX_VALUE;

    private static final BackendCapabilities CAPABILITIES = new BackendCapabilities(false, false, false, MAX_RESOURCE_BYTES);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Probe probe(ResourceSpec spec, BackingList backing) {
        return spec.sizeBytes() > MAX_RESOURCE_BYTES ? Probe.decline("larger than one 2 GiB shadow buffer")
                : Probe.accept("any resource up to 2 GiB in a host shadow buffer");
    }

    @Override
    public BackendResource create(ResourceSpec spec) throws BackendException {
        if (!probe(spec, null).accepts()) {
            throw new BackendException("resource too large for the copy backend", true);
        }
        try {
            return new ShadowResource(spec);
        } catch (OutOfMemoryError e) { // direct memory (-XX:MaxDirectMemorySize) exhausted: the guest gets OUT_OF_MEMORY
            throw new BackendException("no direct memory for a " + spec.sizeBytes() + " byte shadow", true);
        }
    }
}
