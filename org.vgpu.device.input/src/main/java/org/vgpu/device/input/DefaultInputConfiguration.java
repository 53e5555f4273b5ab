package org.vgpu.device.input;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

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
    /** Marks a factory configuration as this component's. */
    static final String SOURCE = "vgpu.source";

    private final ConfigurationAdmin configAdmin;

    @Activate
    public DefaultInputConfiguration(@Reference ConfigurationAdmin configAdmin, Map<String, Object> properties) throws IOException {
        this.configAdmin = configAdmin;
        apply(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        apply(properties);
    }

    /** Disabled (or ConfigAdmin going): the defaults go. Not when the bundle or framework stops: that removes them anyway. */
    @Deactivate
    void deactivate(BundleContext context) throws IOException {
        if (context.getBundle().getState() != Bundle.ACTIVE) {
            return;
        }
        for (String name : new String[] {KEYBOARD, TABLET}) {
            Configuration c = factoryConfiguration(name);
            if (ours(c.getProperties())) {
                c.delete();
            }
        }
    }

    private void apply(Map<String, Object> properties) throws IOException {
        boolean enabled = flag(properties, "enabled");
        String display = String.valueOf(properties.getOrDefault("display", "gpu0"));
        keep(KEYBOARD, "keyboard", enabled && flag(properties, "keyboard"), display);
        keep(TABLET, "tablet", enabled && flag(properties, "tablet"), display);
    }

    private static boolean flag(Map<String, Object> properties, String key) {
        return Boolean.parseBoolean(String.valueOf(properties.getOrDefault(key, "true")));
    }

    private void keep(String name, String kind, boolean wanted, String display) throws IOException {
        Configuration c = factoryConfiguration(name);
        Dictionary<String, Object> existing = c.getProperties();
        if (existing != null && !ours(existing)) {
            return; // configured explicitly: not ours to change
        }
        if (!wanted) {
            if (existing != null) {
                c.delete();
            }
            return;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(org.vgpu.virtio.api.VirtioDevice.PROP_NAME, name);
        props.put("kind", kind);
        props.put("display", display);
        props.put(SOURCE, PID);
        if (existing == null || !Objects.equals(existing.get("display"), display)) {
            c.updateIfDifferent(props);
        }
    }

    private Configuration factoryConfiguration(String name) throws IOException {
        return configAdmin.getFactoryConfiguration(InputDeviceComponent.FACTORY_PID, name, "?");
    }

    private static boolean ours(Dictionary<String, Object> props) {
        return props != null && PID.equals(props.get(SOURCE));
    }
}
