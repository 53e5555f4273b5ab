package org.vgpu.itest.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A GPU device and the vhost-user socket serving it, both made through ConfigAdmin as a user's
 * configuration files would (factory PIDs org.vgpu.gpu and org.vgpu.vhostuser), for a real-guest
 * test; {@link #delete} removes both.
 */
public record ServedGpu(Configuration device, Configuration transport, Path socket) {

    /** Device name with the extra device keys, served on socket; waits (at most 20 s) until the socket exists. */
    public static ServedGpu create(ConfigurationAdmin cm, String alias, String name, Path socket, Map<String, Object> deviceKeys)
            throws IOException, InterruptedException {
        return create(cm, alias, name, socket, deviceKeys, Map.of());
    }

    /** As create, with extra keys for the vhost-user socket too (host.visible.mib: a SHMEM region for MAP_BLOB). */
    public static ServedGpu create(ConfigurationAdmin cm, String alias, String name, Path socket, Map<String, Object> deviceKeys,
            Map<String, Object> transportKeys) throws IOException, InterruptedException {
        Configuration device = cm.getFactoryConfiguration("org.vgpu.gpu", alias, "?");
        Dictionary<String, Object> d = new Hashtable<>(deviceKeys);
        d.put("vgpu.device.name", name);
        device.update(d);
        Configuration transport = cm.getFactoryConfiguration("org.vgpu.vhostuser", alias, "?");
        Dictionary<String, Object> t = new Hashtable<>(transportKeys);
        t.put("socket.path", socket.toString());
        t.put("device.target", "(vgpu.device.name=" + name + ")");
        transport.update(t);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.exists(socket) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        if (!Files.exists(socket)) {
            throw new IllegalStateException("vhost-user socket not created at " + socket);
        }
        return new ServedGpu(device, transport, socket);
    }

    public void delete() throws IOException {
        transport.delete();
        device.delete();
    }
}
