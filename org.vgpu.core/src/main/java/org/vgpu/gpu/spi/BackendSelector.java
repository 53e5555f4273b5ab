package org.vgpu.gpu.spi;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/** Picks the backend for each resource and says why, so the shell can explain the choice. */
@ConsumerType
public interface BackendSelector {

    /** backing is null at RESOURCE_CREATE and the scatter list at ATTACH_BACKING. */
    Selection select(ResourceSpec spec, BackingList backing);

    /** The same, for a resource of the named device (per-device policy overrides apply). */
    default Selection select(String device, ResourceSpec spec, BackingList backing) {
        return select(spec, backing);
    }

    /** The policy in force, one line per rule, for the shell. */
    default List<String> describePolicy() {
        return List.of();
    }

    /** Told when a backend is about to go away while its resources can still be read. */
    interface Listener {
        /** Move every resource off this backend now; it is no longer offered by select. */
        void backendLeaving(ResourceBackend backend);
    }

    default void addListener(Listener listener) {
    }

    default void removeListener(Listener listener) {
    }

    /** The backends currently available, best first. */
    List<ResourceBackend> backends();

    /** The chosen backend (null if every backend refused) and a one-line reason. */
    record Selection(ResourceBackend backend, String reason) {
    }
}
