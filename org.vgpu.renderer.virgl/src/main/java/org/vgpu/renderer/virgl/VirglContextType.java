package org.vgpu.renderer.virgl;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.RenderingContext;
import org.vgpu.gpu.context.ResourceRenderer;

/**
 * Capset VIRGL (1) or VIRGL2 (2) of the process's virglrenderer: both are offered (Mesa's virgl
 * driver reads VIRGL2 when it is there) and share one renderer per device. The renderer is asked
 * for on each use, so the first question about the capset starts it; one it does not report has
 * max version -1 (not offered), one that cannot start throws (not offered either).
 */
final class VirglContextType implements ContextType {
    private final Supplier<Virgl> virgl;
    private final int capsetId;

    VirglContextType(Supplier<Virgl> virgl, int capsetId) {
        this.virgl = virgl;
        this.capsetId = capsetId;
    }

    @Override
    public String name() {
        return capsetId == 1 ? "virgl" : "virgl2";
    }

    @Override
    public int capsetId() {
        return capsetId;
    }

    /** The capset as the started renderer reports it, or null. */
    private Virgl.Capset capset() {
        return virgl.get().capsetOf(capsetId);
    }

    @Override
    public int maxVersion() {
        Virgl.Capset c = capset();
        return c == null ? -1 : c.maxVersion();
    }

    @Override
    public int capsetSize(int version) {
        Virgl.Capset c = capset();
        return c == null ? 0 : c.bytes().length;
    }

    @Override
    public void writeCapset(int version, ByteBuffer dst) {
        Virgl.Capset c = capset();
        if (c != null) {
            dst.put(c.bytes());
        }
    }

    @Override
    public boolean rendersResources() {
        return true;
    }

    @Override
    public ResourceRenderer openRenderer(String deviceName) {
        return virgl.get().claim(deviceName);
    }

    @Override
    public RenderingContext create(ContextHost host, String debugName) {
        Virgl v = virgl.get();
        if (!(host.renderer() instanceof VirglDevice device) || device.virgl() != v || device.closed()) {
            return null; // the device holds no renderer of ours
        }
        int id = v.createContext(capsetId, debugName, host);
        if (id == 0) {
            return null;
        }
        VirglContext c = new VirglContext(host, device, id);
        device.contextCreated(host.contextId(), c);
        return c;
    }
}
