package org.vgpu.vhostuser;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Turns the launcher's {@code --socket-path} / {@code --fd} (framework properties
 * vgpu.socket.path / vgpu.socket.fd, with vgpu.socket.device and vgpu.socket.queue.poll.us) into a
 * vhost-user factory configuration named "cli",
 * so the command line and ConfigAdmin files configure sockets the same way.
 */
@Component(immediate = true)
public final class CommandLineSocket {
    static final String PATH_PROPERTY = "vgpu.socket.path";
    static final String FD_PROPERTY = "vgpu.socket.fd";
    static final String DEVICE_PROPERTY = "vgpu.socket.device";
    static final String POLL_PROPERTY = "vgpu.socket.queue.poll.us";
    private static final System.Logger LOG = System.getLogger(CommandLineSocket.class.getName());

    @Activate
    public CommandLineSocket(BundleContext context, @Reference ConfigurationAdmin configAdmin) throws IOException {
        String path = context.getProperty(PATH_PROPERTY);
        String fd = context.getProperty(FD_PROPERTY);
        Configuration cli = configAdmin.getFactoryConfiguration(VhostUserServer.PID, "cli", "?");
        if ((path == null || path.isBlank()) && (fd == null || fd.isBlank())) {
            if (cli.getProperties() != null) {
                cli.delete(); // a previous run's command line does not outlive it
            }
            return;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        String device = context.getProperty(DEVICE_PROPERTY);
        props.put("device.target", "(vgpu.device.name=" + (device == null || device.isBlank() ? "gpu0" : device) + ")");
        if (fd != null && !fd.isBlank()) {
            props.put("fd", Integer.parseInt(fd.trim()));
        } else {
            props.put("socket.path", path);
        }
        String poll = context.getProperty(POLL_PROPERTY);
        if (poll != null && !poll.isBlank()) {
            props.put("queue.poll.us", Integer.parseInt(poll.trim()));
        }
        cli.updateIfDifferent(props);
        LOG.log(Level.INFO, "vhost-user socket from the command line: " + props);
    }
}
