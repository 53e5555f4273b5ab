package org.vgpu.backend.udmabuf;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.vgpu.gpu.spi.BackendCapabilities;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;

/**
 * Guest-RAM resources shared with the host as dma-bufs through /dev/udmabuf, chosen per resource
 * where the kernel's rules hold (see {@link UdmabufRules}); elsewhere it declines with the reason
 * and the selector moves on (to copy).
 */
@Component(service = ResourceBackend.class, property = "service.ranking:Integer=100")
public final class UdmabufBackend implements ResourceBackend {
    public static final String NAME = "udmabuf";

    private final Udmabuf device = Udmabuf.open();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(true, true, false, device == null ? 0 : device.sizeLimitBytes);
    }

    @Override
    public Probe probe(ResourceSpec spec, BackingList backing) {
        if (device == null) {
            return Probe.decline("no " + Udmabuf.DEVICE);
        }
        return UdmabufRules.probe(UdmabufRules.plan(backing, spec.sizeBytes(), device.listLimit, device.sizeLimitBytes));
    }

    @Override
    public BackendResource create(ResourceSpec spec) throws BackendException {
        if (device == null) {
            throw new BackendException("no " + Udmabuf.DEVICE, false);
        }
        return new DmabufResource(spec, device);
    }

    @Deactivate
    void deactivate() {
        if (device != null) {
            device.close();
        }
    }
}
