package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.System.Logger.Level;
import java.util.UUID;

import org.vgpu.gpu.command.AttachBacking;
import org.vgpu.gpu.command.MemEntries;
import org.vgpu.gpu.command.Rect;
import org.vgpu.gpu.command.ResourceCreate2d;
import org.vgpu.gpu.command.ResourceCreate3d;
import org.vgpu.gpu.command.Transfer3d;
import org.vgpu.gpu.command.TransferToHost2d;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.memory.GuestMemoryException;

/**
 * The 2D resource commands: create (and RESOURCE_CREATE_3D's 2D textures), unref, guest backing,
 * TRANSFER_TO_HOST_2D/3D and UUIDs. Each answers a response type; errors as package-info says.
 */
final class ResourceCommands {
    private static final System.Logger LOG = System.getLogger(ResourceCommands.class.getName());

    private final GpuState state;
    private final ResourceTable table;
    private final Placement placement;

    ResourceCommands(GpuState state, ResourceTable table, Placement placement) {
        this.state = state;
        this.table = table;
        this.placement = placement;
    }

    int create2d(ResourceCreate2d c) {
        return create2d(c.resourceId(), c.format(), c.width(), c.height());
    }

    private int create2d(int resourceId, int format, long width, long height) {
        if (table.idTaken(resourceId)) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (!isValidFormat(format) || width == 0 || height == 0) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        // width, height < 2^32: check before multiplying so the size cannot overflow a long.
        if (width > (Long.MAX_VALUE / BYTES_PER_PIXEL) / height) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        long charge = width * height * BYTES_PER_PIXEL + ResourceTable.RESOURCE_OVERHEAD;
        if (!table.fits(charge) || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        ResourceSpec spec = new ResourceSpec(resourceId, format, (int) width, (int) height);
        BackendSelector.Selection sel = placement.select(spec, null);
        if (sel.backend() == null) {
            LOG.log(Level.DEBUG, "{0}: no backend for resource {1}: {2}", state.deviceName(), resourceId, sel.reason());
            return RESP_ERR_OUT_OF_MEMORY;
        }
        BackendResource store;
        try {
            store = sel.backend().create(spec);
        } catch (BackendException e) {
            LOG.log(Level.DEBUG, "{0}: {1} could not create resource {2}: {3}", state.deviceName(), sel.backend().name(), resourceId,
                    e.getMessage());
            return e.outOfMemory() ? RESP_ERR_OUT_OF_MEMORY : RESP_ERR_UNSPEC;
        }
        Resource r = new Resource(spec);
        Placement.place(r, sel, store);
        r.storeCharge = charge;
        table.charge(charge);
        table.put(r);
        return RESP_OK_NODATA;
    }

    /** RESOURCE_CREATE_3D as Linux sends it for dumb buffers with VIRGL on: a plain 2D texture, served as a 2D resource. */
    int create3d(ResourceCreate3d c) {
        if (c.target() != PIPE_TEXTURE_2D || c.depth() != 1 || c.arraySize() != 1 || c.lastLevel() != 0 || c.samples() > 1) {
            return RESP_ERR_INVALID_PARAMETER; // no renderer for other targets, mipmaps or multisampling
        }
        return create2d(c.resourceId(), c.format(), c.width(), c.height());
    }

    int unref(int resourceId) {
        Resource r = table.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        state.resourceGoing(r);
        if (r.rendered != null) {
            state.rendered().unref(r);
        }
        table.remove(resourceId);
        if (r.store != null) {
            r.store.destroy();
        }
        return RESP_OK_NODATA;
    }

    int transferToHost2d(TransferToHost2d c) {
        return transferToHost2d(c.resourceId(), c.rect(), c.offset());
    }

    /** TRANSFER_TO_HOST_3D of a 2D resource: one layer, level 0, rows at the resource's stride; a rendered one's goes to its renderer. */
    int transfer3d(Transfer3d c, int ctxId) {
        Resource r = table.get(c.resourceId());
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.rendered != null) {
            return state.rendered().transfer(ctxId, c);
        }
        if (!c.toHost()) {
            return RESP_ERR_UNSPEC; // nothing renders a 2D resource on the host, so nothing comes back
        }
        if (c.box().z() != 0 || c.box().depth() > 1 || c.level() != 0 || (c.stride() != 0 && c.stride() != r.spec.stride())) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        return transferToHost2d(c.resourceId(), c.box().rect(), c.offset());
    }

    private int transferToHost2d(int resourceId, Rect rect, long offset) {
        Resource r = table.get(resourceId);
        int checked = state.blobs().checkRect(r, rect);
        if (checked != RESP_OK_NODATA || r.blob) {
            return checked; // a blob's rows are where its layout, not the guest's offset, says
        }
        if (r.rendered != null) {
            return state.rendered().transfer2d(r, rect, offset);
        }
        if (rect.empty()) {
            return RESP_OK_NODATA;
        }
        // Row k of the rect is read from backing [offset + k * stride, + w * 4): the last row must end inside.
        long backing = r.backingBytes();
        long span = (rect.height() - 1) * r.spec.stride() + rect.width() * BYTES_PER_PIXEL; // < 2^31: the resource fits the quota
        if (offset < 0 || offset > backing || span > backing - offset) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        try {
            long copied = r.store.transferToHost(state.memory(), (int) rect.x(), (int) rect.y(), (int) rect.width(), (int) rect.height(), offset);
            state.stats().addTransfer(r.backend.name(), rect.width() * rect.height() * BYTES_PER_PIXEL, copied);
        } catch (GuestMemoryException e) { // guest memory changed under an attached backing
            LOG.log(Level.DEBUG, "{0}: transfer to resource {1} failed: {2}", state.deviceName(), resourceId, e.getMessage());
            return RESP_ERR_UNSPEC;
        }
        return RESP_OK_NODATA;
    }

    /** RESOURCE_ATTACH_BACKING: everything is validated before anything is allocated. */
    int attachBacking(AttachBacking c) {
        Resource r = table.get(c.resourceId());
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        MemEntries entries = c.entries();
        if (entries.count() > MAX_BACKING_ENTRIES) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (r.backing != null || r.host3d) {
            return RESP_ERR_UNSPEC; // as QEMU: a resource has one backing; detach first. A HOST3D blob has none.
        }
        // A rendered resource's layout is the renderer's: it checks each transfer against the backing's size.
        if (entries.total(state.memory()) < (r.rendered != null ? 0 : r.spec.sizeBytes())) {
            return RESP_ERR_INVALID_PARAMETER; // an entry outside guest RAM (-1), or too little
        }
        long charge = entries.count() * ResourceTable.BACKING_ENTRY_COST;
        if (!table.fits(charge)) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        BackingList backing = entries.toBacking(state.memory());
        if (r.rendered != null) { // the renderer reads and writes these pages on each transfer; its host copy keeps none
            r.backing = backing;
            r.backingCharge = charge;
            table.charge(charge);
            state.rendered().backingChanged(r);
            return RESP_OK_NODATA;
        }
        int migrated = placement.reselect(r, backing);
        if (migrated != RESP_OK_NODATA) {
            return migrated;
        }
        try {
            r.store.attachBacking(state.memory(), backing);
        } catch (BackendException e) {
            return e.outOfMemory() ? RESP_ERR_OUT_OF_MEMORY : RESP_ERR_UNSPEC;
        }
        r.backing = backing;
        r.backingCharge = charge;
        table.charge(charge);
        return RESP_OK_NODATA;
    }

    int detachBacking(int resourceId) {
        Resource r = table.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.blob) {
            return RESP_ERR_UNSPEC; // a guest blob's pages belong to it for its lifetime
        }
        if (r.backing != null) {
            if (r.rendered == null) {
                placement.keepPixelsOnHost(r);
                r.store.detachBacking();
            }
            r.backing = null;
            table.charge(-r.backingCharge);
            r.backingCharge = 0;
            if (r.rendered != null) {
                state.rendered().backingChanged(r);
            }
        }
        return RESP_OK_NODATA;
    }

    /** RESOURCE_ASSIGN_UUID: a random (v4) UUID, the same one on every later call; null if there is no such resource. */
    UUID assignUuid(int resourceId) {
        Resource r = table.get(resourceId);
        if (r == null) {
            return null;
        }
        if (r.uuid == null) {
            r.uuid = UUID.randomUUID();
        }
        return r.uuid;
    }
}
