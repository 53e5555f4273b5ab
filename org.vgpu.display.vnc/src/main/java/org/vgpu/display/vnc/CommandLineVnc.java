package org.vgpu.display.vnc;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Turns {@code ./vgpu --vnc ADDRESS} (framework property {@value #PROPERTY}) into a configuration of
 * {@link VncServerComponent#PID} showing gpu0's scanout 0 (the device {@code ./vgpu vm} creates), and
 * removes that configuration again when a later run has no --vnc.
 */
@Component(immediate = true, service = {})
public final class CommandLineVnc {
    static final String PROPERTY = "vgpu.vnc";
    static final String NAME = "cli";
    /** Marks a configuration as written from the command line. */
    static final String SOURCE = "vgpu.source";
    private static final Logger LOG = Logger.getLogger(CommandLineVnc.class.getName());

    @Activate
    public CommandLineVnc(BundleContext context, @Reference ConfigurationAdmin configAdmin) throws IOException {
        Configuration c = configAdmin.getFactoryConfiguration(VncServerComponent.PID, NAME, "?");
        String listen = context.getProperty(PROPERTY);
        if (listen == null || listen.isBlank()) {
            Dictionary<String, Object> old = c.getProperties();
            if (old != null && "cli".equals(old.get(SOURCE))) {
                c.delete();
            }
            return;
        }
        ListenAddress.parse(listen); // a bad address fails here, with the option's value in the message
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("listen", listen);
        props.put("device.name", "gpu0");
        props.put(SOURCE, "cli");
        c.updateIfDifferent(props);
        LOG.info("VNC server from the command line on " + listen);
    }
}
