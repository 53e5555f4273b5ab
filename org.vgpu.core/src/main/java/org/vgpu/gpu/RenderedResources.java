package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.gpu.command.Box;
import org.vgpu.gpu.command.Rect;
import org.vgpu.gpu.command.ResourceCreate3d;
import org.vgpu.gpu.command.Transfer3d;
import org.vgpu.gpu.context.Resource3d;
import org.vgpu.gpu.context.ResourceRenderer;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.ResourceSpec;

/**
 * The device's side of 3D resources a {@link ResourceRenderer} holds (virgl): their table entries
 * and quota, transfers routed to the renderer with the resource's checked backing, and the
 * readback that gives a shown one a host copy (a 2D store from the backends) for display sinks and
 * screenshots. A resource whose renderer went away stays in the table, dead: its commands fail
 * with ERR_UNSPEC until the guest unreferences it.
 */
final class RenderedResources {
    private static final System.Logger LOG = System.getLogger(RenderedResources.class.getName());

    private final GpuState state;
    private final ResourceTable table;
    private final Placement placement;
    /**
     * Bumped by every command that may change what a renderer holds (SUBMIT_3D, 3D and 2D
     * transfers): a readback with nothing rendered since the last one is skipped. A page flip is
     * SET_SCANOUT then RESOURCE_FLUSH of the same frame, so this saves one readback per frame.
     */
    private long renderEpoch;
    /** Readback target, grown to the largest shown resource (direct: the renderer writes it natively). */
    private ByteBuffer readback = ByteBuffer.allocateDirect(0);

    RenderedResources(GpuState state, ResourceTable table, Placement placement) {
        this.state = state;
        this.table = table;
        this.placement = placement;
    }

    /** RESOURCE_CREATE_3D with a renderer: the id and the quota are the device's, the rest the renderer's. */
    int create(ResourceRenderer renderer, ResourceCreate3d c) {
        if (table.idTaken(c.resourceId())) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        Resource3d spec = new Resource3d(c.resourceId(), (int) c.target(), c.format(), (int) c.bind(), (int) c.width(), (int) c.height(),
                (int) c.depth(), (int) c.arraySize(), (int) c.lastLevel(), (int) c.samples(), (int) c.flags());
        long bytes;
        try {
            bytes = renderer.hostBytes(spec);
        } catch (RuntimeException e) {
            bytes = -1;
        }
        if (bytes < 0) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        long charge = bytes > Long.MAX_VALUE - ResourceTable.RESOURCE_OVERHEAD ? Long.MAX_VALUE : bytes + ResourceTable.RESOURCE_OVERHEAD;
        if (!table.fits(charge)) {
            // The guest sees only ERR_OUT_OF_MEMORY (and Mesa then fails the context): say why here.
            LOG.log(Level.WARNING, "{0}: 3D resource {1} ({2} host bytes) refused: over the device''s host memory quota"
                    + " (host.memory.quota.mib)", state.deviceName(), Integer.toUnsignedString(c.resourceId()), bytes);
            return RESP_ERR_OUT_OF_MEMORY;
        }
        int result;
        try {
            result = GpuContexts.checked(renderer.create(spec));
        } catch (RuntimeException e) {
            result = failed(renderer, e);
        }
        if (result != RESP_OK_NODATA) {
            return result;
        }
        // width/height as the 2D parts see them (scanout rects, flush rects): u32, clamped so int maths cannot overflow.
        Resource r = new Resource(new ResourceSpec(c.resourceId(), c.format(), (int) Math.min(c.width(), 1 << 16),
                (int) Math.min(c.height(), 1 << 16)));
        r.renderer = renderer;
        r.rendered = spec;
        r.storeCharge = charge;
        table.charge(charge);
        table.put(r);
        return RESP_OK_NODATA;
    }

    /** TRANSFER_TO_HOST_3D / TRANSFER_FROM_HOST_3D of a rendered resource. */
    int transfer(int ctxId, Transfer3d t) {
        Resource r = table.get(t.resourceId());
        Box b = t.box();
        return transfer(r, ctxId, t.toHost(), b.x(), b.y(), b.z(), b.width(), b.height(), b.depth(), t.offset(), t.level(), t.stride(),
                t.layerStride());
    }

    /** TRANSFER_TO_HOST_2D of a rendered resource (Linux updates a dumb buffer so with VIRGL on): level 0, the resource's own stride. */
    int transfer2d(Resource r, Rect rect, long offset) {
        return transfer(r, 0, true, rect.x(), rect.y(), 0, rect.width(), rect.height(), 1, offset, 0, 0, 0);
    }

    private int transfer(Resource r, int ctxId, boolean toHost, long x, long y, long z, long w, long h, long d, long offset, long level,
            long stride, long layerStride) {
        contentMayChange();
        ResourceRenderer renderer = r.renderer;
        if (renderer == null) {
            return RESP_ERR_UNSPEC; // its renderer went away
        }
        if (ctxId != 0 && state.contextTable().get(ctxId) == null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        if (r.backing == null) {
            return RESP_ERR_UNSPEC; // nothing to transfer from or to (QEMU: ERR_UNSPEC as well)
        }
        try {
            return GpuContexts.checked(renderer.transfer(ctxId, toHost, r.rendered, (int) x, (int) y, (int) z, (int) w, (int) h,
                    (int) d, offset, (int) level, (int) stride, (int) layerStride, r.backing));
        } catch (RuntimeException e) {
            return failed(renderer, e);
        }
    }

    /**
     * Brings a shown rendered resource's pixels into its host copy (made on first use, charged):
     * SET_SCANOUT and RESOURCE_FLUSH call this before the sinks read. OK or the response.
     */
    int readback(Resource r) {
        ResourceRenderer renderer = r.renderer;
        if (renderer == null) {
            return r.store != null ? RESP_OK_NODATA : RESP_ERR_UNSPEC; // the last frame stays shown
        }
        if (r.store != null && r.readbackEpoch == renderEpoch) {
            return RESP_OK_NODATA; // nothing rendered since the host copy was read
        }
        if (!isValidFormat(r.spec.format()) || r.rendered.depth() != 1 || r.rendered.arraySize() != 1 || r.width != r.rendered.width()
                || r.height != r.rendered.height()) {
            return RESP_ERR_INVALID_PARAMETER; // not a displayable 2D image
        }
        if (r.store == null) {
            int made = makeHostCopy(r);
            if (made != RESP_OK_NODATA) {
                return made;
            }
        }
        int bytes = (int) r.spec.sizeBytes(); // <= 2^16 * 2^16 * 4 would not fit: the quota bounds it first
        if (readback.capacity() < bytes) {
            readback = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        boolean read;
        try {
            read = renderer.readPixels(r.rendered, readback);
        } catch (RuntimeException e) {
            read = false;
        }
        if (!read) {
            return RESP_ERR_UNSPEC;
        }
        r.store.importContents(readback);
        r.readbackEpoch = renderEpoch;
        return RESP_OK_NODATA;
    }

    private int makeHostCopy(Resource r) {
        long charge = r.spec.sizeBytes();
        if (r.spec.sizeBytes() > Integer.MAX_VALUE || !table.fits(charge)) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        BackendSelector.Selection sel = placement.select(r.spec, null);
        if (sel.backend() == null) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        BackendResource store;
        try {
            store = sel.backend().create(r.spec);
        } catch (BackendException e) {
            return e.outOfMemory() ? RESP_ERR_OUT_OF_MEMORY : RESP_ERR_UNSPEC;
        }
        Placement.place(r, sel, store);
        r.storeCharge += charge;
        table.charge(charge);
        return RESP_OK_NODATA;
    }

    /** A command may have changed rendered content (a context's SUBMIT_3D): the next readback reads again. */
    void contentMayChange() {
        renderEpoch++;
    }

    /** ATTACH_BACKING / DETACH_BACKING of a rendered resource (r.backing is the new backing or null): its renderer is told. */
    void backingChanged(Resource r) {
        ResourceRenderer renderer = r.renderer;
        if (renderer != null) {
            try {
                renderer.backingChanged(r.rendered, r.backing);
            } catch (RuntimeException e) {
                failed(renderer, e);
            }
        }
    }

    /** RESOURCE_UNREF of a rendered resource (the table entry is removed by the caller). */
    void unref(Resource r) {
        ResourceRenderer renderer = r.renderer;
        if (renderer != null) {
            try {
                renderer.unref(r.spec.resourceId());
            } catch (RuntimeException e) {
                failed(renderer, e);
            }
        }
    }

    /** The renderer went away (its type left, or the device reset): its resources are dead. */
    void rendererGone(ResourceRenderer renderer) {
        for (Resource r : table.values()) {
            if (r.renderer == renderer) {
                r.renderer = null;
            }
        }
    }

    /** A renderer that threw: logged, and the command gets ERR_UNSPEC. */
    private int failed(ResourceRenderer renderer, RuntimeException e) {
        LOG.log(Level.WARNING, "{0}: renderer {1} failed: {2}", state.deviceName(), renderer, e);
        return RESP_ERR_UNSPEC;
    }
}
