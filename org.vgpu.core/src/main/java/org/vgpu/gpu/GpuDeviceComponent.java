package org.vgpu.gpu;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.virtio.api.VirtioDevice;

/** One GPU device per factory configuration of PID "org.vgpu.gpu" (see {@link GpuConfig}). */
@Component(name = "org.vgpu.gpu", service = VirtioDevice.class, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = GpuConfig.class, factory = true)
public final class GpuDeviceComponent extends GpuDevice {

    @Activate
    public GpuDeviceComponent(GpuConfig config, @Reference BackendSelector selector) {
        super(GpuSettings.from(config), selector);
    }

    /** Only the preferred mode can change live; scanout count and quota need a new instance. */
    @Modified
    void modified(GpuConfig config) {
        setPreferredMode(config.width(), config.height());
    }

    @Deactivate
    void deactivate() {
        reset();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSink(DisplaySink sink) {
        addSink(sink);
    }

    void unbindSink(DisplaySink sink) {
        removeSink(sink);
    }
}
