package org.vgpu.gpu;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * gpu0, the device a fresh runtime serves: this component keeps the factory configuration
 * "org.vgpu.gpu~gpu0" (1 scanout, 1280x800, 256 MiB by {@link GpuConfig}'s defaults), with the
 * {@link GpuConfig} keys of PID "org.vgpu.gpu.default" merged in. {@code enabled=false} there,
 * or disabling this component, removes gpu0. A gpu0 factory configuration someone else wrote (a
 * load/org.vgpu.gpu-gpu0.cfg) is left alone. A change of a key the device cannot take live
 * (anything but width and height) makes a new gpu0: the configuration is deleted and written anew.
 */
@Component(name = DefaultGpuConfiguration.PID, service = {}, immediate = true, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class DefaultGpuConfiguration {
    public static final String PID = "org.vgpu.gpu.default";
    static final String NAME = "gpu0";
    static final String ENABLED = "enabled";
    static final String SOURCE = DefaultDeviceConfiguration.SOURCE;
    /** Changed live by the device; every other key needs a new instance. */
    private static final Set<String> LIVE_KEYS = Set.of("width", "height");

    private final DefaultDeviceConfiguration gpu0;

    @Activate
    public DefaultGpuConfiguration(@Reference ConfigurationAdmin configAdmin, Map<String, Object> properties) throws IOException {
        this.gpu0 = new DefaultDeviceConfiguration(configAdmin, GpuDeviceComponent.FACTORY_PID, NAME, PID);
        apply(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        apply(properties);
    }

    /** Disabled (or ConfigAdmin going): gpu0 goes. Not when the bundle or framework stops: that removes it anyway. */
    @Deactivate
    void deactivate(BundleContext context) throws IOException {
        if (context.getBundle().getState() == Bundle.ACTIVE) {
            gpu0.remove();
        }
    }

    private void apply(Map<String, Object> properties) throws IOException {
        if (!Boolean.parseBoolean(String.valueOf(properties.getOrDefault(ENABLED, "true")))) {
            gpu0.keep(null, null);
            return;
        }
        Hashtable<String, Object> wanted = new Hashtable<>();
        wanted.put(org.vgpu.virtio.api.VirtioDevice.PROP_NAME, NAME);
        properties.forEach((k, v) -> {
            if (isGpuKey(k)) {
                wanted.put(k, v);
            }
        });
        // the device takes only the mode live: any other change makes a new instance
        gpu0.keep(wanted, (existing, w) -> !sameExceptLive(existing, w));
    }

    /** The keys that go to the device: all but the component's, ConfigAdmin's and fileinstall's own and "enabled". */
    private static boolean isGpuKey(String key) {
        return !key.startsWith(".") && !key.startsWith("component.") && !key.startsWith("service.")
                && !key.startsWith("felix.") && !key.equals(ENABLED) && !key.equals(SOURCE);
    }

    private static boolean sameExceptLive(Dictionary<String, Object> existing, Hashtable<String, Object> wanted) {
        Hashtable<String, Object> had = new Hashtable<>();
        for (var keys = existing.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            if (isGpuKey(k) || k.equals(SOURCE)) {
                had.put(k, existing.get(k));
            }
        }
        Set<String> keys = new java.util.HashSet<>(had.keySet());
        keys.addAll(wanted.keySet());
        keys.removeAll(LIVE_KEYS);
        return keys.stream().allMatch(k -> Objects.equals(had.get(k), wanted.get(k)));
    }
}
