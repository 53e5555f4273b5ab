package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;

import org.vgpu.gpu.Frame;
import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;

/**
 * A GPU device driven as a guest driver would (GpuHarness: real command decoder and state over fake
 * guest memory) that shows a known image on scanout 0, can change mode and redraw, and sets, moves
 * and hides a cursor.
 */
final class GuestScreen {
    static final String DEVICE = "gpu-test";
    static final int CURSOR = 64;
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
        ByteBuffer row = ByteBuffer.allocate(w * 4);
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                int c = pattern(x, y, seed);
                int o = (x - x0) * 4;
                row.put(o, (byte) c).put(o + 1, (byte) (c >> 8)).put(o + 2, (byte) (c >> 16)); // B, G, R
                row.put(o + 3, (byte) 0x33); // X: ignored
            }
            gpu.putBacking(pages, ((long) y * width + x0) * 4, row, 0, w * 4);
        }
    }

    /** The guest's cursor image, 0xAARRGGBB at (x, y) of 64x64: alpha varies too, so the mask's threshold and bit order show. */
    static int cursorPattern(int x, int y) {
        int alpha = (x * 37 + y * 11) * 5 & 0xff;
        return alpha << 24 | (x * 4 + 1 & 0xff) << 16 | (y * 4 + 2 & 0xff) << 8 | (x ^ y) * 3 & 0xff;
    }

    /**
     * As a driver sets a cursor: a 64x64 B8G8R8A8 resource drawn with {@link #cursorPattern},
     * TRANSFER_TO_HOST_2D, then UPDATE_CURSOR at (x, y) with this hot spot. Returns the resource id.
     */
    int setCursor(int x, int y, int hotX, int hotY) {
        int id = nextId++;
        long[] p = gpu.createWithBacking(id, FORMAT_B8G8R8A8, CURSOR, CURSOR);
        ByteBuffer img = ByteBuffer.allocate(CURSOR * CURSOR * 4);
        for (int i = 0; i < CURSOR * CURSOR; i++) {
            int c = cursorPattern(i % CURSOR, i / CURSOR);
            img.put(i * 4, (byte) c).put(i * 4 + 1, (byte) (c >> 8)).put(i * 4 + 2, (byte) (c >> 16)).put(i * 4 + 3, (byte) (c >>> 24));
        }
        gpu.putBacking(p, 0, img, 0, img.capacity());
        assertEquals(RESP_OK_NODATA, gpu.transfer(id, 0, 0, CURSOR, CURSOR, 0));
        assertEquals(RESP_OK_NODATA, gpu.cmd(CMD_UPDATE_CURSOR, 0, x, y, 0, id, hotX, hotY, 0));
        return id;
    }

    /** MOVE_CURSOR as Linux sends it: with the cursor's resource (0: hide, as QEMU's devices do). */
    void moveCursor(int x, int y, int id) {
        assertEquals(RESP_OK_NODATA, gpu.cmd(CMD_MOVE_CURSOR, 0, x, y, 0, id, 0, 0, 0));
    }

    /** UPDATE_CURSOR with resource 0: the guest hides its cursor. */
    void hideCursor() {
        assertEquals(RESP_OK_NODATA, gpu.cmd(CMD_UPDATE_CURSOR, 0, 0, 0, 0, 0, 0, 0, 0));
    }

    /** vgpu's own screenshot of scanout 0 (what `vgpu:screenshot` writes). */
    Frame screenshot() {
        return gpu.state.capture(0, false);
    }
}
