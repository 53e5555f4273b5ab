package org.vgpu.gpu;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.virtio.api.VirtioDevice;

/** One GPU device per factory configuration of PID "org.vgpu.gpu" (see {@link GpuConfig}). */
@Component(name = "org.vgpu.gpu", service = VirtioDevice.class, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = GpuConfig.class, factory = true)
public final class GpuDeviceComponent extends ComponentGpuDevice {

    @Activate
    public GpuDeviceComponent(GpuConfig config, @Reference BackendSelector selector) {
        super(config, selector);
    }
}
