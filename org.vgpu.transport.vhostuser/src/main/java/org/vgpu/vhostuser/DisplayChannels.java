package org.vgpu.vhostuser;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.component.annotations.Deactivate;
import org.vgpu.gpu.spi.DisplayControl;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ScanoutPixels;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * The vhost-user-gpu display sockets (GPU_SET_SOCKET), one per GPU device, as a display sink:
 * what a device shows goes to the VMM that serves it.
 */
@Component(service = { DisplayChannels.class, DisplaySink.class }, configurationPid = DisplayChannels.PID)
@Designate(ocd = DisplayChannels.Config.class)
public final class DisplayChannels implements VhostUserConnection.DisplayChannelHandler, DisplaySink {
    static final String PID = "org.vgpu.vhostuser.display";

    @ObjectClassDefinition(name = "vgpu vhost-user display", description = "What the GPU sends on QEMU's vhost-user-gpu display socket.")
    public @interface Config {
        @AttributeDefinition(name = "dma-buf scanouts", description = "Send resources that are dma-bufs (udmabuf backend) as "
                + "DMABUF_SCANOUT/DMABUF_UPDATE instead of pixel UPDATEs. Needs a QEMU display with OpenGL (-display gtk,gl=on, "
                + "egl-headless, dbus); QEMU without one rejects dma-buf scanouts, so this is off by default. Applies to "
                + "display sockets QEMU opens after the change.")
        boolean dmabuf() default false;
    }

    private final Map<String, DisplayChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, DisplayControl> controls = new ConcurrentHashMap<>();
    private volatile boolean dmabuf;

    @Activate
    @Modified
    void configure(Config config) {
        dmabuf = config.dmabuf();
    }

    @Override
    public void displaySocket(String deviceName, int fd) {
        DisplayChannel channel = new DisplayChannel(UnixSocket.adopt(fd), dmabuf);
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
    public void cursorUpdated(String device, int scanoutId, ByteBuffer argb, int x, int y, int hotX, int hotY) {
        DisplayChannel c = channels.get(device);
        if (c != null) {
            c.cursorUpdated(scanoutId, argb, x, y, hotX, hotY);
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
