package org.vgpu.vhostuser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.gpu.spi.DisplayControl;
import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.gpu.spi.ScanoutPixels;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * One device's end of the vhost-user-gpu display protocol (QEMU docs/interop/vhost-user-gpu.rst):
 * scanouts, pixel updates in XRGB8888 and cursor messages, sent on the GPU_SET_SOCKET socket.
 * Each device has its own channel and lock, so a slow display stalls only its own device.
 */
final class DisplayChannel implements AutoCloseable {
    static final int GET_PROTOCOL_FEATURES = 1;
    static final int SET_PROTOCOL_FEATURES = 2;
    static final int GET_DISPLAY_INFO = 3;
    static final int CURSOR_POS = 4;
    static final int CURSOR_POS_HIDE = 5;
    static final int CURSOR_UPDATE = 6;
    static final int SCANOUT = 7;
    static final int UPDATE = 8;
    static final int HEADER = 12;
    static final int FLAG_REPLY = 0x4;
    static final long PROTOCOL_EDID = 1;
    /** virtio_gpu_resp_display_info: 24-byte header + 16 x {x, y, width, height, enabled, flags}. */
    static final int DISPLAY_INFO_SIZE = 24 + 16 * 24;
    private static final System.Logger LOG = System.getLogger(DisplayChannel.class.getName());
    static final int CURSOR_BYTES = 64 * 64 * 4;

    private final UnixSocket socket;
    private final ByteBuffer small = ByteBuffer.allocateDirect(HEADER + 20 + CURSOR_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer update = ByteBuffer.allocateDirect(HEADER + 20 + 1024 * 768 * 4).order(ByteOrder.LITTLE_ENDIAN);
    private int cursorScanout;
    private int cursorX;
    private int cursorY;
    private boolean broken;
    /** Scanouts announced with a non-empty SCANOUT: QEMU dereferences NULL on an UPDATE before one. */
    private int announced;

    private final ByteBuffer replyBuffer = ByteBuffer.allocateDirect(HEADER + DISPLAY_INFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final int[] noFds = new int[UnixSocket.MAX_FDS];

    DisplayChannel(UnixSocket socket) {
        this.socket = socket;
    }

    /**
     * QEMU's display end knows the size of its outputs: negotiate protocol features, then take
     * its display info as the preferred modes. Blocks on replies, so it runs on its own thread
     * (QEMU may itself be waiting on the vhost-user socket meanwhile). Only this thread reads.
     */
    void negotiate(String device, DisplayControl control) {
        try {
            request(GET_PROTOCOL_FEATURES, 0);
            long features = readReply(GET_PROTOCOL_FEATURES, 8).getLong(HEADER);
            synchronized (this) {
                ByteBuffer m = begin(small, SET_PROTOCOL_FEATURES, 8);
                m.putLong(features & PROTOCOL_EDID);
                send(m);
            }
            request(GET_DISPLAY_INFO, 0);
            ByteBuffer info = readReply(GET_DISPLAY_INFO, DISPLAY_INFO_SIZE);
            for (int i = 0; i < 16; i++) {
                int at = HEADER + 24 + i * 24;
                if (info.getInt(at + 16) != 0) {
                    control.requestMode(i, info.getInt(at + 8), info.getInt(at + 12));
                }
            }
        } catch (NativeException | IllegalStateException e) {
            LOG.log(System.Logger.Level.INFO, device + ": display handshake ended: " + e.getMessage());
        }
    }

    private synchronized void request(int request, int size) {
        send(begin(small, request, size));
    }

    /** Reads one reply: exactly the expected request, reply flag and size, or the handshake stops. */
    private ByteBuffer readReply(int request, int size) throws NativeException {
        replyBuffer.clear().limit(HEADER);
        readFully(replyBuffer);
        int got = replyBuffer.getInt(0);
        int flags = replyBuffer.getInt(4);
        int gotSize = replyBuffer.getInt(8);
        if (got != request || (flags & FLAG_REPLY) == 0 || gotSize != size) {
            throw new IllegalStateException("unexpected reply " + got + " flags 0x" + Integer.toHexString(flags)
                    + " size " + gotSize + " to request " + request);
        }
        replyBuffer.limit(HEADER + size);
        readFully(replyBuffer);
        return replyBuffer;
    }

    private void readFully(ByteBuffer b) throws NativeException {
        while (b.hasRemaining()) {
            if (socket.recv(b, noFds) == 0) {
                throw new IllegalStateException("display socket closed");
            }
            for (int fd : noFds) {
                org.vgpu.virtio.sys.LinuxNative.closeQuietly(fd); // replies carry no fds
            }
        }
    }

    synchronized void scanout(int scanoutId, int width, int height) {
        if (scanoutId < 0 || scanoutId >= 32) {
            return;
        }
        ByteBuffer m = begin(small, SCANOUT, 12);
        m.putInt(scanoutId).putInt(width).putInt(height);
        send(m);
        if (width > 0 && height > 0) {
            announced |= 1 << scanoutId;
        } else {
            announced &= ~(1 << scanoutId);
        }
    }

    /** Sends the rect as an UPDATE; pixels become XRGB8888 (bytes B, G, R, X) as QEMU expects. */
    synchronized void update(int scanoutId, int x, int y, int w, int h, ScanoutPixels pixels) {
        long bytes = (long) w * h * 4;
        if (scanoutId < 0 || scanoutId >= 32 || (announced & 1 << scanoutId) == 0
                || w <= 0 || h <= 0 || bytes > Integer.MAX_VALUE - HEADER - 20) {
            return;
        }
        if (update.capacity() < HEADER + 20 + bytes) {
            update = ByteBuffer.allocateDirect((int) (HEADER + 20 + bytes)).order(ByteOrder.LITTLE_ENDIAN); // grows once per larger mode
        }
        ByteBuffer m = begin(update, UPDATE, (int) (20 + bytes));
        m.putInt(scanoutId).putInt(x).putInt(y).putInt(w).putInt(h);
        int start = m.position();
        pixels.read(x, y, w, h, m, start, w * 4);
        PixelFormat format = pixels.format();
        if (format != PixelFormat.B8G8R8X8 && format != PixelFormat.B8G8R8A8) {
            for (int i = start; i < start + (int) bytes; i += 4) {
                m.putInt(i, format.argb(m, i));
            }
        }
        m.position(start + (int) bytes);
        send(m);
    }

    synchronized void cursorImage(int scanoutId, ByteBuffer argb, int hotX, int hotY) {
        ByteBuffer m = begin(small, CURSOR_UPDATE, 20 + CURSOR_BYTES);
        m.putInt(scanoutId).putInt(cursorX).putInt(cursorY).putInt(hotX).putInt(hotY);
        ByteBuffer src = argb.duplicate();
        src.limit(src.position() + CURSOR_BYTES);
        m.put(src);
        cursorScanout = scanoutId;
        send(m);
    }

    synchronized void cursorMoved(int scanoutId, int x, int y) {
        cursorScanout = scanoutId;
        cursorX = x;
        cursorY = y;
        ByteBuffer m = begin(small, CURSOR_POS, 12);
        m.putInt(scanoutId).putInt(x).putInt(y);
        send(m);
    }

    synchronized void cursorHidden(int scanoutId) {
        ByteBuffer m = begin(small, CURSOR_POS_HIDE, 12);
        m.putInt(scanoutId == 0 ? cursorScanout : scanoutId).putInt(cursorX).putInt(cursorY);
        send(m);
    }

    private static ByteBuffer begin(ByteBuffer buf, int request, int size) {
        buf.clear();
        buf.putInt(request).putInt(0).putInt(size);
        return buf;
    }

    private void send(ByteBuffer m) {
        if (broken) {
            return;
        }
        m.flip();
        try {
            while (m.hasRemaining()) {
                socket.send(m);
            }
        } catch (NativeException e) {
            broken = true; // the VMM went away; the vhost-user connection notices and cleans up
        }
    }

    @Override
    public void close() {
        socket.shutdown(); // wakes a handshake blocked on a reply
        socket.close();
    }
}
