package org.vgpu.renderer.virgl;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.RenderingContext;

/**
 * One guest context in virglrenderer (capset VIRGL or VIRGL2): SUBMIT_3D runs its command stream,
 * fences are virglrenderer's per-context fences (signalled from the render thread through
 * {@link ContextHost#signalFence}), and it sees the device's virgl resources the guest attaches.
 */
final class VirglContext implements RenderingContext {
    private static final System.Logger LOG = System.getLogger(VirglContext.class.getName());
    /** Rings per context: Linux's virtio-gpu lets a context have at most 64 (VIRTGPU_CONTEXT_PARAM_NUM_RINGS). */
    static final int MAX_RINGS = 64;

    private final ContextHost host;
    private final VirglDevice device;
    private final int virglId;
    private boolean destroyed;

    VirglContext(ContextHost host, VirglDevice device, int virglId) {
        this.host = host;
        this.device = device;
        this.virglId = virglId;
    }

    int virglId() {
        return virglId;
    }

    /** Whether the guest attached the resource to this context. */
    boolean attached(int resourceId) {
        return host.attached(resourceId);
    }

    @Override
    public int submit(int ringIdx, ByteBuffer commands) {
        if (!CommandStreams.framed(commands) || ringIdx >= MAX_RINGS) {
            return ERR_INVALID_PARAMETER; // not whole dwords, or a command runs past the end
        }
        if (device.closed()) {
            return ERR_UNSPEC;
        }
        if (commands.limit() == 0) {
            return OK;
        }
        device.refreshBackings();
        int rc = device.virgl().submit(virglId, commands);
        if (rc != 0) {
            LOG.log(Level.DEBUG, "{0}: context {1}: virglrenderer rejected a command stream: {2}", host.deviceName(),
                    Integer.toUnsignedString(host.contextId()), rc);
            return ERR_INVALID_PARAMETER;
        }
        return OK;
    }

    @Override
    public boolean fence(int ringIdx, long fenceId) {
        if (device.closed() || ringIdx >= MAX_RINGS) {
            return true; // nothing runs any more: nothing to wait for
        }
        // virglrenderer signals it from its poll once the GL work before it is done; if it refuses
        // (a ring it does not have), the commands ran synchronously anyway.
        return !device.virgl().createFence(virglId, ringIdx, fenceId);
    }

    @Override
    public void attach(int resourceId) {
        if (device.owns(resourceId)) {
            device.virgl().attach(virglId, resourceId, true);
        }
    }

    @Override
    public void detach(int resourceId) {
        if (device.owns(resourceId)) {
            device.virgl().attach(virglId, resourceId, false);
        }
    }

    @Override
    public String describe() {
        return "virgl context " + virglId;
    }

    @Override
    public void destroy() {
        if (!destroyed) {
            destroyed = true;
            device.contextDestroyed(host.contextId());
            device.virgl().destroyContext(virglId);
        }
    }
}
