package org.vgpu.gpu;

import java.util.UUID;

import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;

/** Device-side bookkeeping of one 2D resource; its pixels live in the backend's store. */
final class Resource {
    final ResourceSpec spec;
    final int width;
    final int height;
    ResourceBackend backend;
    BackendResource store;
    String backendReason;
    BackingList backing;     // null when detached
    UUID uuid;               // assigned on first RESOURCE_ASSIGN_UUID, then stable
    long storeCharge;        // quota charged for the store
    long backingCharge;      // quota charged for the scatter list bookkeeping
    int scanoutMask;         // bit i: scanout i shows this resource

    Resource(ResourceSpec spec) {
        this.spec = spec;
        this.width = spec.width();
        this.height = spec.height();
    }

    long backingBytes() {
        return backing == null ? 0 : backing.totalBytes();
    }
}
