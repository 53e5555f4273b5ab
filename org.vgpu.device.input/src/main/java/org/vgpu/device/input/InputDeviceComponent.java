package org.vgpu.device.input;

import java.util.Hashtable;
import java.util.Locale;
import java.util.Map;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.vgpu.input.spi.InputTarget;
import org.vgpu.virtio.api.VirtioDevice;

/**
 * One virtio-input device per factory configuration of PID "org.vgpu.input" ({@link InputConfig};
 * keyboard0 and tablet0 are the ones {@link DefaultInputConfiguration} keeps). The device object
 * itself is registered, as one service, as {@link VirtioDevice} (for the transports) and as
 * {@link InputTarget} (for host input: VNC, the shell), with the configuration's properties, vgpu.device.name and the
 * InputTarget properties. Any change makes a new device: DS deactivates and activates again.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.vgpu.virtio.api.VirtioDevice", uses = VirtioDevice.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.vgpu.input.spi.InputTarget", uses = InputTarget.class)
@Component(name = InputDeviceComponent.FACTORY_PID, service = {}, immediate = true, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = InputConfig.class, factory = true)
public final class InputDeviceComponent {
    public static final String FACTORY_PID = "org.vgpu.input";

    private final InputDevice device;
    private final ServiceRegistration<?> registration;

    @Activate
    public InputDeviceComponent(InputConfig config, BundleContext context, Map<String, Object> properties) {
        InputTarget.Kind kind = kind(config.kind());
        String name = config.vgpu_device_name();
        String idName = config.name().isBlank() ? "vgpu " + kind.name().toLowerCase(Locale.ROOT) + " " + name : config.name();
        int capacity = Math.max(8, Math.min(4096, config.pending_events()));
        device = new InputDevice(name, kind, idName, config.display(), capacity);
        Hashtable<String, Object> props = new Hashtable<>();
        properties.forEach((k, v) -> {
            if (!k.startsWith(".")) {
                props.put(k, v);
            }
        });
        props.put(VirtioDevice.PROP_NAME, name);
        props.put(InputTarget.PROP_NAME, name);
        props.put(InputTarget.PROP_KIND, kind.name());
        props.put(InputTarget.PROP_DISPLAY, config.display());
        registration = context.registerService(new String[] {VirtioDevice.class.getName(), InputTarget.class.getName()}, device, props);
    }

    static InputTarget.Kind kind(String value) {
        try {
            return InputTarget.Kind.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kind must be keyboard or tablet, not '" + value + "'");
        }
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        device.reset();
    }
}
