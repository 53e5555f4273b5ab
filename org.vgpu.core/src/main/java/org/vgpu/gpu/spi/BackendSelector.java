package org.vgpu.gpu.spi;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/** Picks the backend for each resource and says why, so the shell can explain the choice. */
@ConsumerType
public interface BackendSelector {

    /** backing is null at RESOURCE_CREATE and the scatter list at ATTACH_BACKING. */
    Selection select(ResourceSpec spec, BackingList backing);

    /** The backends currently available, best first. */
    List<ResourceBackend> backends();

    /** The chosen backend (null if every backend refused) and a one-line reason. */
    record Selection(ResourceBackend backend, String reason) {
    }
}
