package org.vgpu.device.input;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.vgpu.virtio.runtime.DefaultDeviceConfiguration;

/**
 * keyboard0 and tablet0 for gpu0, the input a fresh runtime serves: this component keeps the
 * factory configurations "org.vgpu.input~keyboard0" and "org.vgpu.input~tablet0", as
 * org.vgpu.gpu.default keeps gpu0. Keys of PID "org.vgpu.input.default": keyboard=false or
 * tablet=false removes that device, enabled=false both, display (default gpu0) is the GPU they
 * belong to. A factory configuration of those names that someone else wrote is left alone.
 */
@Component(name = DefaultInputConfiguration.PID, service = {}, immediate = true, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class DefaultInputConfiguration {
    public static final String PID = "org.vgpu.input.default";
    static final String KEYBOARD = "keyboard0";
    static final String TABLET = "tablet0";

    private final DefaultDeviceConfiguration keyboard;
    private final DefaultDeviceConfiguration tablet;

    @Activate
    public DefaultInputConfiguration(@Reference ConfigurationAdmin configAdmin, Map<String, Object> properties) throws IOException {
        this.keyboard = new DefaultDeviceConfiguration(configAdmin, InputDeviceComponent.FACTORY_PID, KEYBOARD, PID);
        this.tablet = new DefaultDeviceConfiguration(configAdmin, InputDeviceComponent.FACTORY_PID, TABLET, PID);
        apply(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        apply(properties);
    }

    /** Disabled (or ConfigAdmin going): the defaults go. Not when the bundle or framework stops: that removes them anyway. */
    @Deactivate
    void deactivate(BundleContext context) throws IOException {
        if (context.getBundle().getState() == Bundle.ACTIVE) {
            keyboard.remove();
            tablet.remove();
        }
    }

    private void apply(Map<String, Object> properties) throws IOException {
        boolean enabled = flag(properties, "enabled");
        String display = String.valueOf(properties.getOrDefault("display", "gpu0"));
        keyboard.keep(enabled && flag(properties, "keyboard") ? device(KEYBOARD, "keyboard", display) : null, (existing, wanted) -> false);
        tablet.keep(enabled && flag(properties, "tablet") ? device(TABLET, "tablet", display) : null, (existing, wanted) -> false);
    }

    private static boolean flag(Map<String, Object> properties, String key) {
        return Boolean.parseBoolean(String.valueOf(properties.getOrDefault(key, "true")));
    }

    private static Hashtable<String, Object> device(String name, String kind, String display) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(org.vgpu.virtio.api.VirtioDevice.PROP_NAME, name);
        props.put("kind", kind);
        props.put("display", display);
        return props;
    }
}
