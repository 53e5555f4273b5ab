package org.vgpu.vhostuser;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * The vhost-user-gpu display sockets (GPU_SET_SOCKET), one per GPU device: the front end's
 * display end to which scanouts, pixel updates and cursor changes are sent.
 */
@Component(service = DisplayChannels.class)
public final class DisplayChannels implements VhostUserConnection.DisplayChannelHandler {
    private final Map<String, UnixSocket> sockets = new ConcurrentHashMap<>();

    @Override
    public void displaySocket(String deviceName, int fd) {
        UnixSocket old = sockets.put(deviceName, UnixSocket.adopt(fd));
        if (old != null) {
            old.close(); // QEMU sends a new socket at every DRIVER_OK
        }
    }

    @Override
    public void disconnected(String deviceName) {
        UnixSocket old = sockets.remove(deviceName);
        if (old != null) {
            old.close();
        }
    }

    boolean hasDisplay(String deviceName) {
        return sockets.containsKey(deviceName);
    }

    @Deactivate
    void deactivate() {
        sockets.values().forEach(UnixSocket::close);
        sockets.clear();
    }
}
