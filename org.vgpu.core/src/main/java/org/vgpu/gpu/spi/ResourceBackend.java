package org.vgpu.gpu.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Stores resources' pixels. One backend serves many resources; the {@link BackendSelector} picks
 * a backend per resource, so a zero-copy backend (udmabuf, hostmem) can take the resources it
 * can handle and leave the rest to the copy backend. Registered as an OSGi service.
 */
@ConsumerType
public interface ResourceBackend {

    /** Short name for the shell and selector reasons, e.g. "copy", "udmabuf". */
    String name();

    BackendCapabilities capabilities();

    /**
     * Whether this backend can hold the resource, with the reason either way. backing is null when
     * asked at RESOURCE_CREATE time; a backend whose choice depends on the guest pages (udmabuf
     * needs memfd pages) answers again at ATTACH time and when a resource migrates.
     */
    Probe probe(ResourceSpec spec, BackingList backing);

    /** Allocates host state for the resource; the device has already charged its quota. */
    BackendResource create(ResourceSpec spec) throws BackendException;
}
