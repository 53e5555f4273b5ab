package org.vgpu.gpu;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ScanoutPixels;

/** Records sink calls as strings. */
final class RecordingSink implements DisplaySink {
    final List<String> events = new ArrayList<>();
    String last;
    int[] cursor;

    private void add(String e) {
        events.add(e);
        last = e;
    }

    @Override
    public void scanoutConfigured(String device, int scanoutId, int width, int height) {
        add("configured " + device + " " + scanoutId + " " + width + "x" + height);
    }

    @Override
    public void scanoutDisabled(String device, int scanoutId) {
        add("disabled " + device + " " + scanoutId);
    }

    @Override
    public void damaged(String device, int scanoutId, int x, int y, int width, int height, ScanoutPixels pixels) {
        add("damaged " + device + " " + scanoutId + " " + x + "," + y + " " + width + "x" + height);
    }

    @Override
    public void cursorImage(String device, int scanoutId, ByteBuffer argb, int hotX, int hotY) {
        cursor = new int[64 * 64];
        for (int i = 0; i < cursor.length; i++) {
            cursor[i] = argb.getInt(i * 4);
        }
        add("cursor " + scanoutId + " hot " + hotX + "," + hotY);
    }

    @Override
    public void cursorMoved(String device, int scanoutId, int x, int y) {
        add("moved " + scanoutId + " " + x + "," + y);
    }

    @Override
    public void cursorHidden(String device, int scanoutId) {
        add("hidden " + scanoutId);
    }
}
