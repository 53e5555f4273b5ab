package org.vgpu.gpu;

import java.util.UUID;

import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;

/** Device-side bookkeeping of one 2D resource; its pixels live in the backend's store. */
final class Resource {
    ResourceSpec spec;       // a blob's changes with its scanout layout
    int width;
    int height;
    /** A GUEST blob: pixels only once SET_SCANOUT_BLOB gives them a layout (store is null before). */
    boolean blob;
    /** A HOST3D blob: host memory from a host-visible backend, pixels from creation on, no guest pages. */
    boolean host3d;
    long blobFlags;
    /** Offset in the host-visible window while MAP_BLOB has it mapped, else -1. */
    long mappedAt = -1;
    long blobSize;
    long blobOffset;         // where the layout's first row starts in the blob
    ResourceBackend backend;
    BackendResource store;
    String backendReason;
    BackingList backing;     // null when detached
    UUID uuid;               // assigned on first RESOURCE_ASSIGN_UUID, then stable
    long storeCharge;        // quota charged for the store
    long backingCharge;      // quota charged for the scatter list bookkeeping
    int scanoutMask;         // bit i: scanout i shows this resource
    /** A 3D resource a renderer holds (RESOURCE_CREATE_3D with one): its fields, else null. store is then its host copy for display, if shown. */
    org.vgpu.gpu.context.Resource3d rendered;
    /** The renderer holding it; null if it never had one or it went away. */
    org.vgpu.gpu.context.ResourceRenderer renderer;
    /** The device's render epoch when this rendered resource's host copy was last read back (-1: never). */
    long readbackEpoch = -1;

    Resource(ResourceSpec spec) {
        layout(spec);
    }

    void layout(ResourceSpec s) {
        this.spec = s;
        this.width = s.width();
        this.height = s.height();
    }

    /** The pages the store reads: a blob's from its layout offset on, else the whole backing. */
    BackingList storePages() {
        return blob ? blobPages(blobOffset, spec.stride(), height) : backing;
    }

    /** A blob's pages for a layout: from offset, stride x height bytes or to the blob's end. */
    BackingList blobPages(long offset, long stride, long rows) {
        return backing.slice(offset, Math.min(blobSize - offset, stride * rows));
    }

    long backingBytes() {
        return backing == null ? 0 : backing.totalBytes();
    }
}
