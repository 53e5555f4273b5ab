package org.vgpu.gpu.crossdomain;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;

import org.osgi.service.component.annotations.Component;
import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.RenderingContext;

/**
 * The cross-domain context type (capset 5, crosvm rutabaga's cross_domain protocol), buffer
 * allocation only: no Wayland channels (supported_channels = 0), no dma-buf import. A device
 * offers it only with {@code cross.domain=true}.
 */
@Component(service = ContextType.class)
public final class CrossDomainContextType implements ContextType {

    /** CrossDomainCapabilities: version, supported_channels, supports_dmabuf, supports_external_gpu_memory. */
    private static final byte[] CAPABILITIES = {CROSS_DOMAIN_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

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
        dst.put(CAPABILITIES);
    }

    @Override
    public RenderingContext create(ContextHost host, String debugName) {
        return new CrossDomainContext(host);
    }
}
