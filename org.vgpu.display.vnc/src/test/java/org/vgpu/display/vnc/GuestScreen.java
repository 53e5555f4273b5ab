package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vgpu.gpu.protocol.Protocol.*;

import org.vgpu.gpu.Frame;
import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;

/**
 * A GPU device driven as a guest driver would (GpuHarness: real command decoder and state over fake
 * guest memory) that shows a known image on scanout 0 and can change mode and redraw.
 */
final class GuestScreen {
    static final String DEVICE = "gpu-test";
    final GpuHarness gpu = new GpuHarness(GpuSettings.defaults(DEVICE), 64 << 20);
    private int nextId = 1;
    int resource;
    long[] pages;
    int width, height;

    /** A colourful, non-repeating pattern: every channel varies, so any channel or byte-order error shows. */
    static int pattern(int x, int y, int seed) {
        return (x * 7 + seed & 0xff) << 16 | (y * 13 + seed * 3 & 0xff) << 8 | (x ^ y) + seed & 0xff;
    }

    /** SET_SCANOUT of a new w x h B8G8R8X8 resource drawn with the pattern, then a full flush. */
    GuestScreen show(int w, int h, int seed) {
        resource = nextId++;
        width = w;
        height = h;
        pages = gpu.createWithBacking(resource, FORMAT_B8G8R8X8, w, h);
        draw(0, 0, w, h, seed);
        assertEquals(RESP_OK_NODATA, gpu.setScanout(0, resource, 0, 0, w, h));
        assertEquals(RESP_OK_NODATA, gpu.transfer(resource, 0, 0, w, h, 0));
        assertEquals(RESP_OK_NODATA, gpu.flush(resource, 0, 0, w, h));
        return this;
    }

    /** Redraws a rect with another seed: guest write, TRANSFER_TO_HOST_2D, RESOURCE_FLUSH. */
    void redraw(int x, int y, int w, int h, int seed) {
        draw(x, y, w, h, seed);
        assertEquals(RESP_OK_NODATA, gpu.transfer(resource, x, y, w, h, ((long) y * width + x) * 4));
        assertEquals(RESP_OK_NODATA, gpu.flush(resource, x, y, w, h));
    }

    private void draw(int x0, int y0, int w, int h, int seed) {
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                int c = pattern(x, y, seed);
                long o = ((long) y * width + x) * 4;
                gpu.putBacking(pages, o, (byte) c);               // B
                gpu.putBacking(pages, o + 1, (byte) (c >> 8));    // G
                gpu.putBacking(pages, o + 2, (byte) (c >> 16));   // R
                gpu.putBacking(pages, o + 3, (byte) 0x33);        // X: ignored
            }
        }
    }

    /** vgpu's own screenshot of scanout 0 (what `vgpu:screenshot` writes). */
    Frame screenshot() {
        return gpu.state.capture(0, false);
    }
}
