package org.vgpu.vhostuser;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.vgpu.gpu.spi.DisplayControl;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ScanoutPixels;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * The vhost-user-gpu display sockets (GPU_SET_SOCKET), one per GPU device, as a display sink:
 * what a device shows goes to the VMM that serves it.
 */
@Component(service = { DisplayChannels.class, DisplaySink.class })
public final class DisplayChannels implements VhostUserConnection.DisplayChannelHandler, DisplaySink {
    private final Map<String, DisplayChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, DisplayControl> controls = new ConcurrentHashMap<>();

    @Override
    public void displaySocket(String deviceName, int fd) {
        DisplayChannel channel = new DisplayChannel(UnixSocket.adopt(fd));
        DisplayChannel old = channels.put(deviceName, channel);
        if (old != null) {
            old.close(); // QEMU sends a new socket at every DRIVER_OK
        }
        DisplayControl control = controls.get(deviceName);
        if (control != null) {
            Thread t = new Thread(() -> channel.negotiate(deviceName, control), "vhost-user-gpu display " + deviceName);
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public void attached(String device, DisplayControl control) {
        controls.put(device, control);
    }

    @Override
    public void detached(String device) {
        controls.remove(device);
    }

    @Override
    public void disconnected(String deviceName) {
        DisplayChannel old = channels.remove(deviceName);
        if (old != null) {
            old.close();
        }
    }

    @Override
    public void scanoutConfigured(String device, int scanoutId, int width, int height) {
        DisplayChannel c = channels.get(device);
        if (c != null) {
            c.scanout(scanoutId, width, height);
        }
    }

    @Override
    public void scanoutDisabled(String device, int scanoutId) {
        DisplayChannel c = channels.get(device);
        if (c != null) {
            c.scanout(scanoutId, 0, 0); // QEMU drops the surface for a 0x0 scanout
        }
    }

    @Override
    public void damaged(String device, int scanoutId, int x, int y, int width, int height, ScanoutPixels pixels) {
        DisplayChannel c = channels.get(device);
        if (c != null) {
            c.update(scanoutId, x, y, width, height, pixels);
        }
    }

    @Override
    public void cursorImage(String device, int scanoutId, ByteBuffer argb, int hotX, int hotY) {
        DisplayChannel c = channels.get(device);
        if (c != null) {
            c.cursorImage(scanoutId, argb, hotX, hotY);
        }
    }

    @Override
    public void cursorMoved(String device, int scanoutId, int x, int y) {
        DisplayChannel c = channels.get(device);
        if (c != null) {
            c.cursorMoved(scanoutId, x, y);
        }
    }

    @Override
    public void cursorHidden(String device, int scanoutId) {
        DisplayChannel c = channels.get(device);
        if (c != null) {
            c.cursorHidden(scanoutId);
        }
    }

    @Deactivate
    void deactivate() {
        channels.values().forEach(DisplayChannel::close);
        channels.clear();
    }
}
