package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.gpu.spi.DisplayControl;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ScanoutPixels;

/** A display sink asks for a mode: the device adopts it and raises EVENT_DISPLAY only on a change. */
class DisplayControlTest {

    static int eventsRead(GpuDevice d) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        d.readConfig(0, b);
        return b.getInt(0);
    }

    static void clearEvents(GpuDevice d) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1);
        d.writeConfig(4, b);
    }

    @Test
    void requestedModeBecomesPreferredAndIsAnnouncedOnce() {
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        GpuDevice device = new GpuDevice(new GpuSettings("gpuM", 2, 1280, 800, 1 << 20), selector);
        AtomicReference<DisplayControl> control = new AtomicReference<>();
        device.addSink(new DisplaySink() {
            @Override public void scanoutConfigured(String d, int s, int w, int h) { }
            @Override public void scanoutDisabled(String d, int s) { }
            @Override public void damaged(String d, int s, int x, int y, int w, int h, ScanoutPixels p) { }
            @Override public void cursorImage(String d, int s, ByteBuffer argb, int hx, int hy) { }
            @Override public void cursorMoved(String d, int s, int x, int y) { }
            @Override public void cursorHidden(String d, int s) { }
            @Override public void attached(String d, DisplayControl c) { control.set(c); }
        });
        assertEquals(0, eventsRead(device));
        control.get().requestMode(1, 1024, 768);
        assertEquals(1, eventsRead(device), "EVENT_DISPLAY raised");
        assertEquals(1024, device.state().scanouts().get(1).preferredWidth());
        assertEquals(1280, device.state().scanouts().get(0).preferredWidth(), "other scanout untouched");
        clearEvents(device);
        control.get().requestMode(1, 1024, 768);
        control.get().requestMode(7, 640, 480); // no such scanout
        control.get().requestMode(0, -5, 0);    // nonsense
        assertEquals(0, eventsRead(device), "nothing changed, nothing announced");
    }
}
