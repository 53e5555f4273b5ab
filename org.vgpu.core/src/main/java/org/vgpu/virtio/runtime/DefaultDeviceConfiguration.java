package org.vgpu.virtio.runtime;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.BiPredicate;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * One device a fresh runtime serves (gpu0, keyboard0): the named factory configuration that a
 * default component keeps, marked as that component's. A configuration of that name someone else
 * wrote (a load/*.cfg) is never changed or deleted.
 */
public final class DefaultDeviceConfiguration {
    /** The key that marks a factory configuration as a default component's; its value is that component's PID. */
    public static final String SOURCE = "vgpu.source";

    private final ConfigurationAdmin configAdmin;
    private final String factoryPid;
    private final String name;
    private final String ownerPid;

    public DefaultDeviceConfiguration(ConfigurationAdmin configAdmin, String factoryPid, String name, String ownerPid) {
        this.configAdmin = configAdmin;
        this.factoryPid = factoryPid;
        this.name = name;
        this.ownerPid = ownerPid;
    }

    /**
     * Makes the configuration {@code wanted} (plus the owner's mark), or removes it when wanted
     * is null. {@code needsNewInstance} is asked with the existing and the wanted properties: when
     * true, the configuration is deleted and written anew (a change the device cannot take live).
     */
    public void keep(Hashtable<String, Object> wanted, BiPredicate<Dictionary<String, Object>, Hashtable<String, Object>> needsNewInstance)
            throws IOException {
        Configuration c = configuration();
        Dictionary<String, Object> existing = c.getProperties();
        if (existing != null && !ours(existing)) {
            return; // configured explicitly: not ours to change
        }
        if (wanted == null) {
            if (existing != null) {
                c.delete();
            }
            return;
        }
        wanted.put(SOURCE, ownerPid);
        if (existing != null && needsNewInstance.test(existing, wanted)) {
            c.delete();
            c = configuration();
        }
        c.updateIfDifferent(wanted);
    }

    /** Deletes the configuration if it is the owner's. */
    public void remove() throws IOException {
        Configuration c = configuration();
        if (ours(c.getProperties())) {
            c.delete();
        }
    }

    private Configuration configuration() throws IOException {
        return configAdmin.getFactoryConfiguration(factoryPid, name, "?");
    }

    private boolean ours(Dictionary<String, Object> props) {
        return props != null && ownerPid.equals(props.get(SOURCE));
    }
}
