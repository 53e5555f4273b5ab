package org.vgpu.display.vnc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.gpu.spi.ScanoutPixels;

/**
 * The server's copy of one scanout (0xAARRGGBB pixels) and of the guest's cursor, and the clients
 * that show it. The device's calls copy into it and mark each client's damage, then return: senders
 * take their clients' damage out of it under this object's lock and encode outside it. The one lock
 * guards the pixels, the cursor and every client's pending-update state.
 */
final class Framebuffer {
    static final int CURSOR_SIZE = 64;
    /** Before the guest shows anything: QEMU's size for a display with no surface. */
    static final int DEFAULT_WIDTH = 640, DEFAULT_HEIGHT = 480;

    int width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT;
    int[] pixels = new int[width * height];
    /** False until a damage call has copied the whole scanout at its current size. */
    private boolean complete;

    final int[] cursor = new int[CURSOR_SIZE * CURSOR_SIZE];
    int cursorHotX, cursorHotY, cursorX, cursorY;
    boolean cursorVisible;

    final List<VncClient> clients = new CopyOnWriteArrayList<>();
    private ByteBuffer row = ByteBuffer.allocate(0);

    /** The scanout now shows a resource at this size (SET_SCANOUT). */
    synchronized void configure(int w, int h) {
        resize(w, h);
        complete = false; // its pixels come with the next damage
    }

    /** RESOURCE_FLUSH: copies the damaged rect (the whole scanout the first time) and marks it for every client. */
    synchronized void damage(int x, int y, int w, int h, ScanoutPixels src) {
        if (src.width() != width || src.height() != height) {
            resize(src.width(), src.height());
            complete = false;
        }
        // The device clips damage to the scanout; a rect outside it is a device bug, not ours to copy.
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x > width - w || y > height - h) {
            complete = false;
        }
        if (!complete) {
            x = 0;
            y = 0;
            w = width;
            h = height;
            complete = true;
        }
        copy(x, y, w, h, src);
        for (VncClient c : clients) {
            c.damaged(x, y, w, h);
        }
        notifyAll();
    }

    private void copy(int x, int y, int w, int h, ScanoutPixels src) {
        int rowBytes = w * 4;
        if (row.capacity() < rowBytes) {
            row = ByteBuffer.allocate(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        PixelFormat f = src.format();
        for (int r = 0; r < h; r++) {
            src.read(x, y + r, w, 1, row, 0, rowBytes);
            int base = (y + r) * width + x;
            for (int c = 0; c < w; c++) {
                pixels[base + c] = f.argb(row, c * 4);
            }
        }
    }

    private void resize(int w, int h) {
        if (w == width && h == height) {
            return;
        }
        width = w;
        height = h;
        pixels = new int[w * h]; // a mode change, not the hot path
        for (VncClient c : clients) {
            c.resized(w, h);
        }
        notifyAll();
    }

    /** A new cursor image: 64x64, B, G, R, A bytes. */
    synchronized void cursorImage(ByteBuffer bgra, int hotX, int hotY) {
        ByteBuffer b = bgra.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        for (int i = 0; i < cursor.length; i++) {
            cursor[i] = b.getInt(base + i * 4);
        }
        cursorHotX = hotX;
        cursorHotY = hotY;
        cursorVisible = true;
        cursorChanged();
    }

    synchronized void cursorMoved(int x, int y) {
        cursorX = x;
        cursorY = y;
        if (!cursorVisible) {
            cursorVisible = true;
            cursorChanged();
        }
        for (VncClient c : clients) {
            c.pointerMoved();
        }
        notifyAll();
    }

    synchronized void cursorHidden() {
        if (cursorVisible) {
            cursorVisible = false;
            cursorChanged();
        }
    }

    private void cursorChanged() {
        for (VncClient c : clients) {
            c.cursorChanged();
        }
        notifyAll();
    }

    /** The frame as 0xAARRGGBB (alpha forced to 0xff), for the shell and tests. */
    synchronized int[] snapshot() {
        int[] copy = pixels.clone();
        for (int i = 0; i < copy.length; i++) {
            copy[i] |= 0xff000000;
        }
        return copy;
    }
}
