package org.vgpu.gpu;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.virtio.api.VirtioDevice;

/**
 * One GPU device per factory configuration of PID "org.vgpu.gpu" (see {@link GpuConfig}; gpu0 is
 * the factory configuration {@link DefaultGpuConfiguration} keeps). The component has a
 * {@link GpuDevice} and registers it as the {@link VirtioDevice} service, with its
 * {@link GpuInspection} (read-only, for the shell) and {@link GpuMigration} (the shell's actions)
 * beside it, all with the configuration's properties and vgpu.device.name. It registers them
 * itself (service = {}) so that the service object is the device itself, not a component
 * delegating every VirtioDevice call, and so that the device has its display sinks before a
 * transport can get it.
 */
// DS sees no service here: the resolver learns of the VirtioDevice service (transports require one) from this.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.vgpu.virtio.api.VirtioDevice", uses = VirtioDevice.class)
@Component(name = GpuDeviceComponent.FACTORY_PID, service = {}, immediate = true, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = GpuConfig.class, factory = true)
public final class GpuDeviceComponent {
    public static final String FACTORY_PID = "org.vgpu.gpu";

    private final GpuDevice device;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    public GpuDeviceComponent(GpuConfig config, @Reference BackendSelector selector) {
        device = new GpuDevice(GpuSettings.from(config), selector);
    }

    /** After the constructor and the sinks bound with it: the device goes public. */
    @Activate
    void register(BundleContext context, Map<String, Object> properties) {
        Hashtable<String, Object> props = serviceProperties(properties);
        registrations.add(context.registerService(VirtioDevice.class, device, props));
        registrations.add(context.registerService(GpuInspection.class, GpuInspection.of(device.state()), props));
        registrations.add(context.registerService(GpuMigration.class, GpuMigration.of(device.state()), props));
    }

    /**
     * Only the preferred mode can change live; scanout count, quota, cross.domain and the name need
     * a new instance (they are ignored here, as DS calls this for every change). The service
     * properties follow the configuration, as DS's own would.
     */
    @Modified
    void modified(GpuConfig config, Map<String, Object> properties) {
        device.setPreferredMode(config.width(), config.height());
        Hashtable<String, Object> props = serviceProperties(properties);
        registrations.forEach(r -> r.setProperties(props));
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
        device.close();
        device.reset();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSink(DisplaySink sink) {
        device.addSink(sink);
    }

    void unbindSink(DisplaySink sink) {
        device.removeSink(sink);
    }

    /** Context types (cross-domain, hot-loaded ones): offered after the next device reset, gone at once. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindContextType(ContextType type) {
        device.addContextType(type);
    }

    void unbindContextType(ContextType type) {
        device.removeContextType(type);
    }

    /** The component's public properties (as DS would register them) and the device's actual name. */
    private Hashtable<String, Object> serviceProperties(Map<String, Object> properties) {
        Hashtable<String, Object> props = new Hashtable<>();
        properties.forEach((k, v) -> {
            if (!k.startsWith(".")) {
                props.put(k, v);
            }
        });
        props.put(VirtioDevice.PROP_NAME, device.name());
        return props;
    }
}
