package org.vgpu.vhostuser;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.api.VirtioTransport;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * A vhost-user back end on one UNIX socket, serving one device to one front end at a time.
 * One instance per factory configuration (PID org.vgpu.vhostuser): several sockets, several VMs.
 */
@Designate(ocd = VhostUserServer.Config.class, factory = true)
@Component(configurationPid = VhostUserServer.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public final class VhostUserServer implements VirtioTransport {
    public static final String PID = "org.vgpu.vhostuser";
    private static final System.Logger LOG = System.getLogger(VhostUserServer.class.getName());

    @ObjectClassDefinition(name = "vgpu vhost-user socket", description = "Serves a virtio device to a vhost-user front end such as QEMU's vhost-user-gpu-pci.")
    public @interface Config {
        @AttributeDefinition(name = "Socket path", description = "UNIX socket to listen on (created mode 0600; a stale file is replaced). Empty when fd is used.")
        String socket_path() default "";

        @AttributeDefinition(name = "Inherited fd", description = "An already connected socket inherited from the parent (libvirt's --fd); -1 for none.")
        int fd() default -1;

        @AttributeDefinition(name = "Device", description = "Filter selecting the VirtioDevice this socket serves.")
        String device_target() default "(vgpu.device.name=gpu0)";

        @AttributeDefinition(name = "Host-visible region (MiB)", description = "Size of the GPU's HOST_VISIBLE shared memory region, "
                + "mapped by the front end on SHMEM_MAP requests (vhost-user protocol feature SHMEM, QEMU 11.1). 0: no region, "
                + "the feature is not offered (QEMU 10 does not know it).", min = "0")
        int host_visible_mib() default 0;

        @AttributeDefinition(name = "Queue busy-poll (us)", description = "After a request, the device's queue thread watches the rings "
                + "for up to this long (adaptively, as QEMU's iothread poll-max-ns) before it sleeps: a request that comes within it is "
                + "served without a wake-up. 0: always sleep.", min = "0", max = "1000")
        int queue_poll_us() default 50;
    }

    private final VirtioDevice device;
    private final String endpoint;
    private final UnixSocket listener;
    private final Thread thread;
    private final DisplayChannels displays;
    private volatile VhostUserConnection connection;
    private volatile boolean stopping;
    private final long hostVisibleBytes;
    private final long maxPollNanos;

    @Activate
    public VhostUserServer(@Reference(name = "device") VirtioDevice device, Config config,
            @Reference DisplayChannels displays) throws NativeException {
        this.device = device;
        this.displays = displays;
        this.hostVisibleBytes = (long) Math.max(0, config.host_visible_mib()) << 20;
        this.maxPollNanos = Math.min(1000, Math.max(0, config.queue_poll_us())) * 1000L;
        if (config.fd() >= 0) {
            this.endpoint = "fd:" + config.fd();
            this.listener = null;
            UnixSocket inherited = UnixSocket.adopt(config.fd());
            this.thread = new Thread(() -> serve(inherited, endpoint), "vhost-user " + endpoint);
        } else {
            if (config.socket_path().isBlank()) {
                throw new IllegalArgumentException("vhost-user: neither socket.path nor fd configured");
            }
            Path path = Path.of(config.socket_path()).toAbsolutePath();
            try {
                Files.createDirectories(path.getParent());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot create " + path.getParent() + ": " + e.getMessage());
            }
            this.endpoint = path.toString();
            this.listener = UnixSocket.listen(path, 1);
            this.thread = new Thread(this::acceptLoop, "vhost-user " + endpoint);
        }
        thread.setDaemon(true);
        thread.start();
        LOG.log(Level.INFO, "vhost-user: serving " + device.name() + " on " + endpoint);
    }

    private void acceptLoop() {
        int count = 0;
        while (!stopping) {
            UnixSocket accepted;
            try {
                accepted = listener.accept();
            } catch (NativeException e) {
                if (!stopping) {
                    LOG.log(Level.ERROR, "vhost-user " + endpoint + ": accept failed: " + e.getMessage());
                }
                return;
            }
            serve(accepted, endpoint + "#" + ++count);
        }
    }

    private void serve(UnixSocket socket, String name) {
        VhostUserConnection c = new VhostUserConnection("vhost-user:" + name, socket, device, displays, hostVisibleBytes, maxPollNanos);
        connection = c;
        try {
            c.serve();
        } finally {
            connection = null;
        }
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        if (listener != null) {
            // shutdown() wakes a blocked accept; close alone does not on Linux
            listener.shutdown();
            listener.close();
            try {
                Files.deleteIfExists(Path.of(endpoint));
            } catch (java.io.IOException e) {
                LOG.log(Level.DEBUG, "cannot remove " + endpoint + ": " + e.getMessage());
            }
        }
        VhostUserConnection c = connection;
        if (c != null) {
            c.shutdown();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String kind() {
        return "vhost-user";
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public List<Binding> bindings() {
        VhostUserConnection c = connection;
        String state = c != null ? c.state() : listener != null ? "listening" : "disconnected";
        String deviceName = device.name();
        return List.of(Binding.of(deviceName, state));
    }
}
