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
    private boolean closed;

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
        int rc = virgl.transfer(ctx, toHost, r.resourceId(), x, y, z, width, height, depth, offset, level, stride, layerStride, backing);
        if (rc != 0) {
            LOG.log(Level.DEBUG, "{0}: virgl transfer {1} of resource {2}: {3}", deviceName, toHost ? "to host" : "from host",
                    Integer.toUnsignedString(r.resourceId()), rc);
            return rc < 0 ? ERR_UNSPEC : ERR_INVALID_PARAMETER;
        }
        return OK;
    }

    @Override
    public boolean readPixels(Resource3d r, ByteBuffer dst) {
        long bytes = (long) r.width() * r.height() * 4;
        return !closed && dst.isDirect() && bytes <= dst.capacity() && virgl.readPixels(r.resourceId(), r.width(), r.height(), dst) == 0;
    }

    @Override
    public void unref(int resourceId) {
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
            virgl.release(this);
        }
    }

    @Override
    public String toString() {
        return "virgl renderer of " + deviceName + " (" + resources.size() + " resources)";
    }
}
