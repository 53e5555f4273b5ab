package org.vgpu.renderer.virgl;

import static org.vgpu.gpu.context.RenderingContext.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.vgpu.gpu.context.Resource3d;
import org.vgpu.gpu.context.ResourceRenderer;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.virtio.memory.GuestMemory;

/**
 * One device's 3D resources in the process's virglrenderer (the device that {@link Virgl#claim}ed
 * it). Checks every resource and transfer with {@link Layouts} before virglrenderer sees it.
 * Called by the device with its state locked.
 */
final class VirglDevice implements ResourceRenderer {
    private static final System.Logger LOG = System.getLogger(VirglDevice.class.getName());

    private final Virgl virgl;
    private final String deviceName;
    /** The resources made here: unreferenced in virglrenderer when the device closes the renderer. */
    private final Set<Integer> resources = new HashSet<>();
    /** The device's virgl contexts by the guest's context id. */
    private final Map<Integer, VirglContext> contexts = new HashMap<>();
    /** The guest pages virglrenderer holds, by resource (see {@link Virgl#attachIov}). */
    private final Map<Integer, BackingList> backings = new HashMap<>();
    /** The guest memory of those pages and its generation when they were last handed over. */
    private GuestMemory backingMemory;
    private long backingGeneration;
    private boolean closed;
    /** Frames read back for display sinks and screenshots (what showing 3D costs; tests count them). */
    long readbacks;

    VirglDevice(Virgl virgl, String deviceName) {
        this.virgl = virgl;
        this.deviceName = deviceName;
    }

    String deviceName() {
        return deviceName;
    }

    Virgl virgl() {
        return virgl;
    }

    /** Whether the resource is one of this device's virgl resources (contexts attach only those). */
    boolean owns(int resourceId) {
        return resources.contains(resourceId);
    }

    void contextCreated(int guestId, VirglContext c) {
        contexts.put(guestId, c);
    }

    void contextDestroyed(int guestId) {
        contexts.remove(guestId);
    }

    boolean closed() {
        return closed;
    }

    @Override
    public long hostBytes(Resource3d r) {
        return Layouts.hostBytes(r);
    }

    @Override
    public int create(Resource3d r) {
        if (closed || Layouts.hostBytes(r) < 0) {
            return closed ? ERR_UNSPEC : ERR_INVALID_PARAMETER;
        }
        int rc = virgl.createResource(r);
        if (rc != 0) {
            LOG.log(Level.DEBUG, "{0}: virglrenderer refused resource {1}: {2}", deviceName, Integer.toUnsignedString(r.resourceId()), rc);
            return ERR_INVALID_PARAMETER;
        }
        resources.add(r.resourceId());
        return OK;
    }

    @Override
    public int transfer(int contextId, boolean toHost, Resource3d r, int x, int y, int z, int width, int height, int depth, long offset,
            int level, int stride, int layerStride, BackingList backing) {
        if (closed) {
            return ERR_UNSPEC;
        }
        if (backing == null) {
            return ERR_UNSPEC;
        }
        int checked = Layouts.checkTransfer(r, x, y, z, width, height, depth, offset, level, stride, layerStride, backing.totalBytes());
        if (checked != OK) {
            return checked;
        }
        VirglContext c = contextId == 0 ? null : contexts.get(contextId);
        if (c != null && !c.attached(r.resourceId())) {
            return ERR_INVALID_RESOURCE_ID; // virglrenderer looks the resource up in the context
        }
        int ctx = c == null ? 0 : c.virglId(); // another type's context (or none): virglrenderer's context 0
        refreshBackings();
        int rc = virgl.transfer(ctx, toHost, r.resourceId(), x, y, z, width, height, depth, offset, level, stride, layerStride, backing);
        if (rc != 0) {
            LOG.log(Level.DEBUG, "{0}: virgl transfer {1} of resource {2}: {3}", deviceName, toHost ? "to host" : "from host",
                    Integer.toUnsignedString(r.resourceId()), rc);
            return rc < 0 ? ERR_UNSPEC : ERR_INVALID_PARAMETER;
        }
        return OK;
    }

    @Override
    public void backingChanged(Resource3d r, BackingList backing) {
        if (closed || !resources.contains(r.resourceId())) {
            return;
        }
        refreshBackings(); // the others first, so one generation holds for all
        if (backing == null) {
            backings.remove(r.resourceId());
            virgl.detachIov(r.resourceId());
            return;
        }
        backings.put(r.resourceId(), backing);
        backingMemory = backing.memory();
        backingGeneration = backingMemory == null ? 0 : backingMemory.generation();
        if (!virgl.attachIov(r.resourceId(), backing)) {
            LOG.log(Level.DEBUG, "{0}: resource {1}: its pages were not handed to virglrenderer", deviceName,
                    Integer.toUnsignedString(r.resourceId()));
        }
    }

    /**
     * Before a call that may use the pages virglrenderer holds (a command stream, a transfer): if
     * guest memory changed since they were handed over, their host addresses may be stale, so they
     * are taken again from the current regions (a page no longer in guest memory: none). The
     * caller holds the queue's lease on that memory, so it cannot change during the call.
     */
    void refreshBackings() {
        GuestMemory memory = backingMemory;
        if (memory == null || memory.generation() == backingGeneration) {
            return;
        }
        backingGeneration = memory.generation();
        for (Map.Entry<Integer, BackingList> e : backings.entrySet()) {
            virgl.attachIov(e.getKey(), e.getValue());
        }
    }

    @Override
    public boolean readPixels(Resource3d r, ByteBuffer dst) {
        long bytes = (long) r.width() * r.height() * 4;
        readbacks++;
        return !closed && dst.isDirect() && bytes <= dst.capacity() && virgl.readPixels(r.resourceId(), r.width(), r.height(), dst) == 0;
    }

    @Override
    public void unref(int resourceId) {
        backings.remove(resourceId);
        if (!closed && resources.remove(resourceId)) {
            virgl.unref(resourceId);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (int id : resources) {
                virgl.unref(id);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "{0}: freeing virgl resources: {1}", deviceName, e.getMessage());
        } finally {
            resources.clear();
            backings.clear();
            backingMemory = null;
            virgl.release(this);
        }
    }

    @Override
    public String toString() {
        return "virgl renderer of " + deviceName + " (" + resources.size() + " resources)";
    }
}
