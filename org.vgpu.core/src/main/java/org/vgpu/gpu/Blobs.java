package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

import org.vgpu.gpu.command.BlobLayout;
import org.vgpu.gpu.command.CreateBlob;
import org.vgpu.gpu.command.MemEntries;
import org.vgpu.gpu.command.Rect;
import org.vgpu.gpu.command.SetScanoutBlob;
import org.vgpu.gpu.context.HostBlob;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.memory.GuestMemoryException;

/**
 * Blob resources: GUEST blobs (guest pages, pixels once SET_SCANOUT_BLOB gives them a layout,
 * read by the host at FLUSH), HOST3D blobs redeemed from a context's image requirements, and
 * MAP_BLOB windows of host-visible memory.
 */
final class Blobs {
    private static final System.Logger LOG = System.getLogger(Blobs.class.getName());

    private final GpuState state;
    private final ResourceTable table;
    private final Placement placement;

    Blobs(GpuState state, ResourceTable table, Placement placement) {
        this.state = state;
        this.table = table;
        this.placement = placement;
    }

    /**
     * RESOURCE_CREATE_BLOB. Only GUEST blobs exist without a context; MAPPABLE needs a context's
     * host-visible use, so it is refused like HOST3D there. Everything is checked before anything
     * is allocated.
     */
    int create(int ctxId, CreateBlob c) {
        int resourceId = c.resourceId();
        long flags = c.flags();
        if (table.idTaken(resourceId)) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if ((flags & ~(long) (BLOB_FLAG_USE_MAPPABLE | BLOB_FLAG_USE_SHAREABLE | BLOB_FLAG_USE_CROSS_DEVICE)) != 0) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        boolean contexts = state.contextsEnabled();
        if (c.blobMem() == BLOB_MEM_HOST3D && contexts) {
            return createHost(state.contextTable(), ctxId, c);
        }
        // A guest maps a GUEST blob's pages itself; MAPPABLE is only meaningful where contexts (and their rings) exist.
        if (c.blobMem() != BLOB_MEM_GUEST || ((flags & BLOB_FLAG_USE_MAPPABLE) != 0 && !contexts)) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        MemEntries entries = c.entries();
        long size = c.size();
        if (c.blobId() != 0 || size <= 0 || size > Integer.MAX_VALUE || entries.count() > MAX_BACKING_ENTRIES) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (entries.total(state.memory()) < size) {
            return RESP_ERR_INVALID_PARAMETER; // an entry outside guest RAM (-1), or too little
        }
        long charge = size + ResourceTable.RESOURCE_OVERHEAD;
        long backingCharge = entries.count() * ResourceTable.BACKING_ENTRY_COST;
        if (!table.fits(charge + backingCharge)) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        Resource r = new Resource(new ResourceSpec(resourceId, 0, 0, 0));
        r.blob = true;
        r.blobFlags = flags;
        r.blobSize = size;
        r.backing = entries.toBacking(state.memory());
        r.backendReason = "a blob gets its backend with its scanout layout (SET_SCANOUT_BLOB)";
        r.storeCharge = charge;
        r.backingCharge = backingCharge;
        table.charge(charge + backingCharge);
        table.put(r);
        return RESP_OK_NODATA;
    }

    /**
     * RESOURCE_CREATE_BLOB(HOST3D): redeems a blob_id the context promised (cross-domain: from
     * GET_IMAGE_REQUIREMENTS); the pixels live in host memory of a backend that can map them into
     * the guest (hostmem). The promise is redeemed only once the resource exists.
     */
    private int createHost(GpuContexts contexts, int ctxId, CreateBlob c) {
        GpuContexts.Slot slot = contexts.get(ctxId);
        if (slot == null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        if (c.entries().count() != 0) {
            return RESP_ERR_INVALID_PARAMETER; // host memory: no guest pages
        }
        long blobId = c.blobId();
        HostBlob image = slot.context == null ? null : slot.context.hostBlob(blobId);
        if (image != null && image.fd() >= 0) {
            return createReceived(contexts, slot, ctxId, c, image);
        }
        if (image == null || image.width() <= 0 || image.height() <= 0 || c.size() != image.size()
                || image.size() < (long) image.width() * image.height() * BYTES_PER_PIXEL) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        long charge = c.size() + ResourceTable.RESOURCE_OVERHEAD;
        if (!table.fits(charge)) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        ResourceSpec spec = new ResourceSpec(c.resourceId(), image.format(), image.width(), image.height(), true);
        BackendSelector.Selection sel = placement.select(spec, null);
        if (sel.backend() == null) {
            LOG.log(Level.DEBUG, "{0}: no host memory for blob {1}: {2}", state.deviceName(), c.resourceId(), sel.reason());
            return RESP_ERR_OUT_OF_MEMORY;
        }
        BackendResource store;
        try {
            store = sel.backend().create(spec);
        } catch (BackendException e) {
            LOG.log(Level.DEBUG, "{0}: no host memory for blob {1}: {2}", state.deviceName(), c.resourceId(), e.getMessage());
            return RESP_ERR_OUT_OF_MEMORY;
        }
        return registerHost3d(contexts, slot, ctxId, c, spec, sel, store, charge);
    }

    /**
     * RESOURCE_CREATE_BLOB(HOST3D) of memory the context received (a compositor's keymap): the
     * guest names it with its size or page-rounded; the resource is that memory (a duplicate fd),
     * laid out as 4096-byte rows, charged to the quota like any blob.
     */
    private int createReceived(GpuContexts contexts, GpuContexts.Slot slot, int ctxId, CreateBlob c, HostBlob memory) {
        long pages = blobAligned(memory.size());
        if (memory.size() <= 0 || c.size() != memory.size() && c.size() != pages || pages / 4096 > Integer.MAX_VALUE) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        long charge = pages + ResourceTable.RESOURCE_OVERHEAD;
        if (!table.fits(charge)) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        ResourceSpec spec = new ResourceSpec(c.resourceId(), FORMAT_B8G8R8X8, 1024, (int) (pages / 4096), true);
        BackendSelector.Selection sel = placement.select(spec, null); // where it would live if it ever migrates
        if (sel.backend() == null) {
            LOG.log(Level.DEBUG, "{0}: received memory for blob {1}: {2}", state.deviceName(), c.resourceId(), sel.reason());
            return RESP_ERR_OUT_OF_MEMORY;
        }
        int fd = org.vgpu.virtio.sys.LinuxNative.fcntl(memory.fd(), org.vgpu.virtio.sys.LinuxNative.F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
            return RESP_ERR_OUT_OF_MEMORY; // EMFILE
        }
        BackendResource store;
        try {
            store = ReceivedMemory.of(spec, fd, memory.size()); // owns fd from here, closed on failure too
        } catch (BackendException e) {
            LOG.log(Level.DEBUG, "{0}: received memory for blob {1}: {2}", state.deviceName(), c.resourceId(), e.getMessage());
            return e.outOfMemory() ? RESP_ERR_OUT_OF_MEMORY : RESP_ERR_INVALID_PARAMETER;
        }
        return registerHost3d(contexts, slot, ctxId, c, spec,
                new BackendSelector.Selection(sel.backend(), "received from the context's peer"), store, charge);
    }

    /** A created HOST3D blob into the table, charged, attached to its context, and the context told. */
    private int registerHost3d(GpuContexts contexts, GpuContexts.Slot slot, int ctxId, CreateBlob c, ResourceSpec spec,
            BackendSelector.Selection sel, BackendResource store, long charge) {
        Resource r = new Resource(spec);
        Placement.place(r, sel, store);
        r.storeCharge = charge;
        r.blob = true;
        r.host3d = true;
        r.blobFlags = c.flags();
        r.blobSize = c.size();
        table.charge(charge);
        table.put(r);
        contexts.attach(ctxId, c.resourceId(), true);
        slot.context.hostBlobCreated(c.blobId(), c.resourceId());
        return RESP_OK_NODATA;
    }

    /**
     * SET_SCANOUT_BLOB: the blob's pixels, as the layout says, go on a scanout. The layout is
     * checked against the blob size; the blob then gets a backend resource of stride/4 x height
     * over the pages from offset on, and the current guest pixels.
     */
    int setScanout(SetScanoutBlob c) {
        if (c.scanoutId() >= state.numScanouts()) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        if (c.resourceId() == 0) {
            state.displays().disable((int) c.scanoutId());
            return RESP_OK_NODATA;
        }
        Resource r = table.get(c.resourceId());
        if (r == null || !r.blob) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        BlobLayout l = c.layout();
        long stride = l.stride();
        if (!isValidFormat(l.format()) || l.width() == 0 || l.height() == 0 || stride < l.width() * BYTES_PER_PIXEL
                || stride % BYTES_PER_PIXEL != 0 || l.offset() + stride * (l.height() - 1) + l.width() * BYTES_PER_PIXEL > r.blobSize) {
            return RESP_ERR_INVALID_PARAMETER; // all operands < 2^32: the sum cannot overflow a long
        }
        Rect rect = c.rect();
        if (rect.empty() || !rect.within(l.width(), l.height())) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        ResourceSpec layout = new ResourceSpec(c.resourceId(), l.format(), (int) (stride / BYTES_PER_PIXEL), (int) l.height());
        if (r.host3d) {
            // Host memory laid out as GET_IMAGE_REQUIREMENTS said: a scanout must read it that way.
            if (l.format() != r.spec.format() || layout.width() != r.spec.width() || l.height() != r.spec.height() || l.offset() != 0) {
                return RESP_ERR_INVALID_PARAMETER;
            }
        } else if (r.store == null || !layout.equals(r.spec) || r.blobOffset != l.offset()) {
            BackingList pages = r.blobPages(l.offset(), stride, l.height());
            BackendSelector.Selection sel = placement.select(layout, pages);
            if (sel.backend() == null) {
                return RESP_ERR_OUT_OF_MEMORY;
            }
            try {
                BackendResource store = sel.backend().create(layout);
                store.attachBacking(state.memory(), pages);
                if (r.store != null) {
                    r.store.destroy();
                }
                Placement.place(r, sel, store);
            } catch (BackendException e) {
                return e.outOfMemory() ? RESP_ERR_OUT_OF_MEMORY : RESP_ERR_UNSPEC;
            }
            r.layout(layout);
            r.blobOffset = l.offset();
        }
        int result = sync(r, rect);
        return result != RESP_OK_NODATA ? result : state.displays().show(c.scanoutId(), c.resourceId(), rect);
    }

    /**
     * What FLUSH and TRANSFER check first: the resource exists and the rect lies inside it; a
     * blob's rect is then read from its pages. OK_NODATA to go on, else the response.
     */
    int checkRect(Resource r, Rect rect) {
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.blob && r.store == null) {
            // A blob has pixels once SET_SCANOUT_BLOB gave it a layout; Linux sends a blob dumb
            // buffer's first TRANSFER before that: nothing to sync (QEMU answers OK_NODATA too).
            return RESP_OK_NODATA;
        }
        if (!rect.within(r.width, r.height)) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        return r.blob ? sync(r, rect) : RESP_OK_NODATA;
    }

    /** A guest blob is never transferred by the driver: the host reads the rect from the pages. */
    int sync(Resource r, Rect rect) {
        if (r.store == null || rect.empty()) {
            return RESP_OK_NODATA;
        }
        try {
            long copied = r.store.transferToHost(state.memory(), (int) rect.x(), (int) rect.y(), (int) rect.width(), (int) rect.height(),
                    rect.y() * r.spec.stride() + rect.x() * BYTES_PER_PIXEL);
            state.stats().addTransfer(r.backend.name(), rect.width() * rect.height() * BYTES_PER_PIXEL, copied);
            return RESP_OK_NODATA;
        } catch (GuestMemoryException e) {
            return RESP_ERR_INVALID_PARAMETER;
        }
    }

    /** A context writes a GUEST blob (its query ring) at offset through the blob's checked guest pages. */
    boolean writeGuest(int resourceId, long offset, ByteBuffer src, int length) {
        Resource r = table.get(resourceId);
        if (r == null || !r.blob || r.host3d || r.backing == null || offset < 0 || length < 0 || length > src.capacity()
                || r.blobSize < length || offset > r.blobSize - length || state.memory() == null) {
            return false;
        }
        BackingList pages = r.backing.slice(offset, length);
        int done = 0;
        try {
            for (int i = 0; i < pages.entries() && done < length; i++) {
                int n = Math.min(pages.length(i), length - done);
                state.memory().write(pages.address(i), src, done, n);
                done += n;
            }
        } catch (GuestMemoryException e) {
            return false;
        }
        return done == length;
    }

    /**
     * A new close-on-exec fd of a resource's host memory, to pass to another process: a HOST3D
     * blob's memfd, else the dma-buf its backend exports (udmabuf for a GUEST blob); -1 if none.
     */
    int hostFd(int resourceId) {
        Resource r = table.get(resourceId);
        if (r == null || r.store == null) {
            return -1;
        }
        int fd = r.host3d ? r.store.mappableFd() : -1;
        if (fd < 0) {
            org.vgpu.gpu.spi.Dmabuf d = r.store.dmabuf();
            fd = d == null ? -1 : d.fd();
        }
        return fd < 0 ? -1 : Math.max(-1, org.vgpu.virtio.sys.LinuxNative.fcntl(fd, org.vgpu.virtio.sys.LinuxNative.F_DUPFD_CLOEXEC, 0));
    }

    /** RESOURCE_MAP_BLOB: maps a HOST3D MAPPABLE blob's host memory at offset of the host-visible region. */
    int map(int resourceId, long offset) {
        Resource r = table.get(resourceId);
        if (r == null || !r.host3d) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        SharedMemoryWindow window = state.hostVisible();
        if (window == null) {
            return RESP_ERR_UNSPEC; // the transport has no host-visible region
        }
        long length = blobAligned(r.blobSize);
        if ((r.blobFlags & BLOB_FLAG_USE_MAPPABLE) == 0 || r.mappedAt >= 0 || (offset & (BLOB_ALIGNMENT - 1)) != 0
                || offset < 0 || offset > window.size() || length > window.size() - offset) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        for (Resource other : table.values()) {
            long otherLength = blobAligned(other.blobSize);
            if (other.mappedAt >= 0 && offset < other.mappedAt + otherLength && other.mappedAt < offset + length) {
                return RESP_ERR_INVALID_PARAMETER; // overlaps another mapped blob
            }
        }
        int fd = r.store.mappableFd();
        if (fd < 0) {
            return RESP_ERR_UNSPEC;
        }
        try {
            window.map(offset, fd, 0, length, !(r.store instanceof ReceivedMemory m) || m.writable());
        } catch (SharedMemoryWindow.MappingException e) {
            LOG.log(Level.DEBUG, "{0}: MAP_BLOB {1} at {2}: {3}", state.deviceName(), resourceId, offset, e.getMessage());
            return RESP_ERR_INVALID_PARAMETER;
        }
        r.mappedAt = offset;
        return RESP_OK_MAP_INFO;
    }

    int unmap(int resourceId) {
        Resource r = table.get(resourceId);
        if (r == null || !r.host3d) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.mappedAt < 0) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        unmap(r);
        return RESP_OK_NODATA;
    }

    /** Takes the blob out of the guest's view (before the memory behind the mapping goes). */
    void unmap(Resource r) {
        if (r.mappedAt < 0) {
            return;
        }
        SharedMemoryWindow window = state.hostVisible();
        if (window != null) {
            try {
                window.unmap(r.mappedAt, blobAligned(r.blobSize));
            } catch (SharedMemoryWindow.MappingException e) {
                LOG.log(Level.WARNING, "{0}: unmapping blob {1}: {2}", state.deviceName(), Integer.toUnsignedString(r.spec.resourceId()),
                        e.getMessage());
            }
        }
        r.mappedAt = -1;
    }
}
