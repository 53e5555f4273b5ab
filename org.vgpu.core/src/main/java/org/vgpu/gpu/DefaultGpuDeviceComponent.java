package org.vgpu.gpu;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.virtio.api.VirtioDevice;

/**
 * "gpu0": a GPU device that exists without any configuration, so a fresh runtime serves one.
 * Optionally configured through PID "org.vgpu.gpu.default" with the {@link GpuConfig} keys;
 * disable the component to run only factory-configured devices.
 */
@Component(name = "org.vgpu.gpu.default", service = VirtioDevice.class, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = VirtioDevice.PROP_NAME + "=gpu0")
public final class DefaultGpuDeviceComponent extends ComponentGpuDevice {

    @Activate
    public DefaultGpuDeviceComponent(GpuConfig config, @Reference BackendSelector selector) {
        super(config, selector);
    }
}
