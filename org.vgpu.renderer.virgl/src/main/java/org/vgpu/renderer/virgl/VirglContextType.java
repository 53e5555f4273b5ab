package org.vgpu.renderer.virgl;

import java.nio.ByteBuffer;

import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.RenderingContext;
import org.vgpu.gpu.context.ResourceRenderer;

/**
 * Capset VIRGL (1) or VIRGL2 (2) of the process's virglrenderer: both are offered (Mesa's virgl
 * driver reads VIRGL2 when it is there) and share one renderer per device.
 */
final class VirglContextType implements ContextType {
    private final Virgl virgl;
    private final Virgl.Capset capset;

    VirglContextType(Virgl virgl, Virgl.Capset capset) {
        this.virgl = virgl;
        this.capset = capset;
    }

    @Override
    public String name() {
        return capset.id() == 1 ? "virgl" : "virgl2";
    }

    @Override
    public int capsetId() {
        return capset.id();
    }

    @Override
    public int maxVersion() {
        return capset.maxVersion();
    }

    @Override
    public int capsetSize(int version) {
        return capset.bytes().length;
    }

    @Override
    public void writeCapset(int version, ByteBuffer dst) {
        dst.put(capset.bytes());
    }

    @Override
    public boolean rendersResources() {
        return true;
    }

    @Override
    public ResourceRenderer openRenderer(String deviceName) {
        return virgl.claim(deviceName);
    }

    @Override
    public RenderingContext create(ContextHost host, String debugName) {
        if (!(host.renderer() instanceof VirglDevice device) || device.virgl() != virgl || device.closed()) {
            return null; // the device holds no renderer of ours
        }
        int id = virgl.createContext(capset.id(), debugName, host);
        if (id == 0) {
            return null;
        }
        VirglContext c = new VirglContext(host, device, id);
        device.contextCreated(host.contextId(), c);
        return c;
    }
}
