package org.vgpu.gpu;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.virtio.api.VirtioDevice;

/**
 * "gpu0": a GPU device that exists without any configuration, so a fresh runtime serves one.
 * Optionally configured through PID "org.vgpu.gpu.default" with the {@link GpuConfig} keys;
 * disable the component to run only factory-configured devices.
 */
@Component(name = "org.vgpu.gpu.default", service = VirtioDevice.class, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = VirtioDevice.PROP_NAME + "=gpu0")
public final class DefaultGpuDeviceComponent extends GpuDevice {

    @Activate
    public DefaultGpuDeviceComponent(GpuConfig config, @Reference BackendSelector selector) {
        super(GpuSettings.from(config), selector);
    }

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
