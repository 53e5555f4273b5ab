package org.vgpu.gpu.png;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.gpu.spi.ScanoutPixels;

/**
 * A display sink that keeps the last frame of every scanout it is told about (from damage
 * events, as a remote display would) and writes it as PNG on request. Not registered by default:
 * a screenshot reads the device directly; this sink exists to test and demonstrate the sink path.
 */
public final class PngSink implements DisplaySink {

    private static final class Head {
        int width;
        int height;
        int[] argb = new int[0];
    }

    private final Map<String, Head> heads = new ConcurrentHashMap<>();

    private Head head(String device, int scanoutId) {
        return heads.computeIfAbsent(device + "#" + scanoutId, k -> new Head());
    }

    @Override
    public void scanoutConfigured(String device, int scanoutId, int width, int height) {
        Head h = head(device, scanoutId);
        synchronized (h) {
            h.width = width;
            h.height = height;
            h.argb = new int[width * height];
        }
    }

    @Override
    public void scanoutDisabled(String device, int scanoutId) {
        heads.remove(device + "#" + scanoutId);
    }

    @Override
    public void damaged(String device, int scanoutId, int x, int y, int width, int height, ScanoutPixels pixels) {
        Head h = head(device, scanoutId);
        PixelFormat f = pixels.format();
        ByteBuffer row = ByteBuffer.allocate(width * 4);
        synchronized (h) {
            for (int r = 0; r < height; r++) {
                pixels.read(x, y + r, width, 1, row, 0, row.capacity());
                for (int c = 0; c < width; c++) {
                    h.argb[(y + r) * h.width + x + c] = f.argb(row, c * 4);
                }
            }
        }
    }

    @Override
    public void cursorImage(String device, int scanoutId, ByteBuffer argb, int hotX, int hotY) {
    }

    @Override
    public void cursorMoved(String device, int scanoutId, int x, int y) {
    }

    @Override
    public void cursorHidden(String device, int scanoutId) {
    }

    /** Writes the last frame of the scanout; false if the sink has none. */
    public boolean write(String device, int scanoutId, Path file) throws IOException {
        Head h = heads.get(device + "#" + scanoutId);
        if (h == null) {
            return false;
        }
        synchronized (h) {
            try (OutputStream out = Files.newOutputStream(file)) {
                PngEncoder.write(out, h.width, h.height, h.argb, false);
            }
        }
        return true;
    }
}
