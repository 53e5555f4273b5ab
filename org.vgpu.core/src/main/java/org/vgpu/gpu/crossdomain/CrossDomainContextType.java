package org.vgpu.gpu.crossdomain;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.osgi.service.component.annotations.Component;
import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.DeviceSettings;
import org.vgpu.gpu.context.RenderingContext;

/**
 * The cross-domain context type (capset 5, crosvm rutabaga's cross_domain protocol): buffer
 * allocation, and Wayland channels to the host compositor named by the device's
 * {@code wayland.socket} setting; no dma-buf import. A device offers it only with {@code cross.domain=true}.
 */
@Component(service = ContextType.class)
public final class CrossDomainContextType implements ContextType {

    @Override
    public String name() {
        return "cross-domain";
    }

    @Override
    public int capsetId() {
        return CAPSET_CROSS_DOMAIN;
    }

    @Override
    public int maxVersion() {
        return 0;
    }

    @Override
    public int capsetSize(int version) {
        return CROSS_DOMAIN_CAPABILITIES_SIZE;
    }

    @Override
    public void writeCapset(int version, ByteBuffer dst) {
        writeCapset(version, dst, key -> null);
    }

    /**
     * CrossDomainCapabilities: version 1 (every command up to WRITE); supported_channels has
     * WAYLAND only while the device's compositor socket accepts connections; supports_dmabuf 0:
     * the buffers a context passes are memfds (hostmem HOST3D blobs), not dma-bufs, so a proxy
     * must use wl_shm for them, never zwp_linux_dmabuf_v1.
     */
    @Override
    public void writeCapset(int version, ByteBuffer dst, DeviceSettings device) {
        boolean wayland = CompositorSocket.connectable(CompositorSocket.resolve(device.setting(CompositorSocket.SETTING)));
        ByteOrder order = dst.order();
        dst.order(ByteOrder.LITTLE_ENDIAN).putInt(CROSS_DOMAIN_VERSION).putInt(wayland ? 1 << CrossDomainWire.CHANNEL_TYPE_WAYLAND : 0)
                .putInt(0).putInt(0).order(order);
    }

    @Override
    public RenderingContext create(ContextHost host, String debugName) {
        return new CrossDomainContext(host, debugName);
    }
}
