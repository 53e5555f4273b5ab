package org.vgpu.vhostuser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.gpu.spi.DisplayControl;
import org.vgpu.gpu.spi.Dmabuf;
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
    static final int DMABUF_SCANOUT = 9;
    static final int DMABUF_UPDATE = 10;
    static final int GET_EDID = 11;
    /** DMABUF_SCANOUT with the buffer's format modifier (protocol feature DMABUF2). */
    static final int DMABUF_SCANOUT2 = 12;
    /** virtio_gpu_resp_edid: 24-byte header, le32 size, le32 padding, u8 edid[1024]. */
    static final int RESP_EDID_SIZE = 24 + 8 + 1024;
    static final int RESP_OK_EDID = 0x1104;
    /** VhostUserGpuDMABUFScanout: scanout, x, y, w, h, fd_width, fd_height, fd_stride, fd_flags, fd_drm_fourcc. */
    static final int DMABUF_SCANOUT_SIZE = 40;
    /** How long a DMABUF_UPDATE may wait for the display's reply before the channel returns to pixel updates. */
    static final int DMABUF_REPLY_TIMEOUT_MS = 2000;
    static final int HEADER = 12;
    static final int FLAG_REPLY = 0x4;
    static final long PROTOCOL_EDID = 1;
    static final long PROTOCOL_DMABUF2 = 1 << 1;
    /** DRM_FORMAT_MOD_LINEAR: the backends' dma-bufs are linear. */
    static final long MODIFIER_LINEAR = 0;
    /** virtio_gpu_resp_display_info: 24-byte header + 16 x {x, y, width, height, enabled, flags}. */
    static final int DISPLAY_INFO_SIZE = 24 + 16 * 24;
    private static final System.Logger LOG = System.getLogger(DisplayChannel.class.getName());
    static final int CURSOR_BYTES = 64 * 64 * 4;

    private final UnixSocket socket;
    private final ByteBuffer small = ByteBuffer.allocateDirect(HEADER + 20 + CURSOR_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** UPDATE messages; allocated at the first UPDATE for the whole scanout (an idle connection keeps none). */
    private ByteBuffer update = ByteBuffer.allocateDirect(0);
    private int cursorScanout;
    private int cursorX;
    private int cursorY;
    private boolean broken;
    /** DMABUF_SCANOUT2 negotiated: buffers are announced with their modifier. */
    private volatile boolean dmabuf2;
    /** Scanouts announced with a non-empty SCANOUT: QEMU dereferences NULL on an UPDATE before one. */
    private int announced;

    /** Send dma-buf scanouts for resources that have one (configured; QEMU needs a GL display for them). */
    private final boolean dmabufWanted;
    /** Replies can be read on the sending thread once the handshake thread is done with the socket. */
    private volatile boolean handshakeDone;
    /** Per scanout, the dma-buf QEMU was last given with DMABUF_SCANOUT (null: pixel updates). */
    private final Dmabuf[] shownDmabuf = new Dmabuf[32];
    private long dmabufUpdates;

    private final ByteBuffer replyBuffer = ByteBuffer.allocateDirect(HEADER + Math.max(DISPLAY_INFO_SIZE, RESP_EDID_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
    private final int[] noFds = new int[UnixSocket.MAX_FDS];
    private static final int[] NO_FDS = {};
    private final int[] oneFd = new int[1];

    DisplayChannel(UnixSocket socket, boolean dmabufWanted) {
        this.socket = socket;
        this.dmabufWanted = dmabufWanted;
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
            long wanted = features & (PROTOCOL_EDID | PROTOCOL_DMABUF2);
            synchronized (this) {
                ByteBuffer m = begin(small, SET_PROTOCOL_FEATURES, 8);
                m.putLong(wanted);
                send(m);
            }
            dmabuf2 = (wanted & PROTOCOL_DMABUF2) != 0;
            request(GET_DISPLAY_INFO, 0);
            ByteBuffer info = readReply(GET_DISPLAY_INFO, DISPLAY_INFO_SIZE);
            int enabled = 0;
            for (int i = 0; i < 16; i++) {
                int at = HEADER + 24 + i * 24;
                if (info.getInt(at + 16) != 0) {
                    enabled |= 1 << i;
                    control.requestMode(i, info.getInt(at + 8), info.getInt(at + 12));
                }
            }
            // QEMU's EDID for each of its outputs, as QEMU's own back end asks (it answers only
            // for outputs it has, so only the enabled ones are asked).
            for (int i = 0; (wanted & PROTOCOL_EDID) != 0 && i < 16; i++) {
                if ((enabled & 1 << i) != 0) {
                    synchronized (this) {
                        send(begin(small, GET_EDID, 4).putInt(i));
                    }
                    ByteBuffer edid = readReply(GET_EDID, RESP_EDID_SIZE);
                    int size = edid.getInt(HEADER + 24);
                    if (edid.getInt(HEADER) == RESP_OK_EDID && size > 0 && size <= 1024) {
                        byte[] bytes = new byte[size];
                        edid.get(HEADER + 32, bytes);
                        control.displayEdid(i, bytes); // checked by the device
                    }
                }
            }
            handshakeDone = true;
        } catch (NativeException | IllegalStateException e) {
            handshakeError = e.getMessage();
            LOG.log(System.Logger.Level.INFO, device + ": display handshake ended: " + e.getMessage());
        }
    }

    /** Why the handshake ended early (null: it completed, or has not ended yet). */
    String handshakeError() {
        return handshakeError;
    }

    private volatile String handshakeError;

    /** DMABUF_UPDATEs the display acknowledged (for tests and the shell). */
    synchronized long dmabufUpdates() {
        return dmabufUpdates;
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
        shownDmabuf[scanoutId] = null; // a new surface: the next update announces the dma-buf again
        if (width > 0 && height > 0) {
            announced |= 1 << scanoutId;
        } else {
            announced &= ~(1 << scanoutId);
        }
    }

    /**
     * Shows the changed rect: as DMABUF_SCANOUT/DMABUF_UPDATE when the resource is a dma-buf and
     * the channel is configured for it (the display reads the buffer itself, no pixels travel),
     * else as an UPDATE whose pixels become XRGB8888 (bytes B, G, R, X) as QEMU expects.
     */
    synchronized void update(int scanoutId, int x, int y, int w, int h, ScanoutPixels pixels) {
        long bytes = (long) w * h * 4;
        if (scanoutId < 0 || scanoutId >= 32 || (announced & 1 << scanoutId) == 0
                || w <= 0 || h <= 0 || bytes > Integer.MAX_VALUE - HEADER - 20) {
            return;
        }
        Dmabuf buffer = dmabufWanted && handshakeDone && !broken ? pixels.dmabuf() : null;
        if (buffer != null && dmabufUpdate(scanoutId, x, y, w, h, pixels, buffer)) {
            return;
        }
        if (shownDmabuf[scanoutId] != null) {
            // Back from a dma-buf (the resource moved to a copying backend): UPDATEs need a plain surface.
            scanout(scanoutId, pixels.width(), pixels.height());
        }
        PixelFormat format = pixels.format();
        boolean xrgb = format == PixelFormat.B8G8R8X8 || format == PixelFormat.B8G8R8A8;
        ByteBuffer rows = xrgb && x == 0 && w == pixels.width() ? pixels.wholeRows(y, h) : null;
        if (rows != null && rows.remaining() == bytes) {
            // Whole rows already in QEMU's byte order: the header, then the resource's own pixels, in one sendmsg.
            ByteBuffer m = begin(small, UPDATE, (int) (20 + bytes));
            m.putInt(scanoutId).putInt(x).putInt(y).putInt(w).putInt(h);
            sendWithBody(m, rows);
            return;
        }
        if (update.capacity() < HEADER + 20 + bytes) {
            // sized for the whole scanout, so later partial updates of this mode fit: grows once per larger mode
            long whole = Math.max(bytes, (long) pixels.width() * pixels.height() * 4);
            update = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE, HEADER + 20 + whole)).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer m = begin(update, UPDATE, (int) (20 + bytes));
        m.putInt(scanoutId).putInt(x).putInt(y).putInt(w).putInt(h);
        int start = m.position();
        pixels.read(x, y, w, h, m, start, w * 4);
        if (!xrgb) {
            for (int i = start; i < start + (int) bytes; i += 4) {
                m.putInt(i, format.argb(m, i));
            }
        }
        m.position(start + (int) bytes);
        send(m);
    }

    /** Announces the buffer if the scanout shows another one, then DMABUF_UPDATE and its reply; false if the display did not answer. */
    private boolean dmabufUpdate(int scanoutId, int x, int y, int w, int h, ScanoutPixels pixels, Dmabuf buffer) {
        if (shownDmabuf[scanoutId] != buffer) {
            ByteBuffer m = dmabuf2 ? begin(small, DMABUF_SCANOUT2, DMABUF_SCANOUT_SIZE + 8) : begin(small, DMABUF_SCANOUT, DMABUF_SCANOUT_SIZE);
            m.putInt(scanoutId).putInt(pixels.sourceX()).putInt(pixels.sourceY()).putInt(pixels.width()).putInt(pixels.height())
                    .putInt(buffer.width()).putInt(buffer.height()).putInt(buffer.stride()).putInt(0).putInt(buffer.drmFourcc());
            if (dmabuf2) {
                m.putLong(MODIFIER_LINEAR);
            }
            send(m, buffer.fd());
            shownDmabuf[scanoutId] = buffer;
        }
        ByteBuffer m = begin(small, DMABUF_UPDATE, 20);
        m.putInt(scanoutId).putInt(x).putInt(y).putInt(w).putInt(h);
        send(m);
        try {
            // QEMU replies once its display has used the buffer; until then the guest's flush waits.
            if (!socket.awaitReadable(DMABUF_REPLY_TIMEOUT_MS)) {
                throw new IllegalStateException("no reply to DMABUF_UPDATE within " + DMABUF_REPLY_TIMEOUT_MS + " ms");
            }
            readReply(DMABUF_UPDATE, 0);
            dmabufUpdates++;
            return true;
        } catch (NativeException | IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, "display: dma-buf updates stopped, sending pixels instead: " + e.getMessage());
            handshakeDone = false; // replies are out of step now: never wait for one again
            return false;
        }
    }

    /** CURSOR_UPDATE as QEMU's own back end sends it: the command's position, the hot spot and the image. */
    synchronized void cursorUpdated(int scanoutId, ByteBuffer argb, int x, int y, int hotX, int hotY) {
        cursorScanout = scanoutId;
        cursorX = x;
        cursorY = y;
        ByteBuffer m = begin(small, CURSOR_UPDATE, 20 + CURSOR_BYTES);
        m.putInt(scanoutId).putInt(x).putInt(y).putInt(hotX).putInt(hotY);
        ByteBuffer src = argb.duplicate();
        src.limit(src.position() + CURSOR_BYTES);
        m.put(src);
        send(m);
    }

    /** A new image at the position last sent. */
    synchronized void cursorImage(int scanoutId, ByteBuffer argb, int hotX, int hotY) {
        cursorUpdated(scanoutId, argb, cursorX, cursorY, hotX, hotY);
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
        send(m, NO_FDS);
    }

    private void send(ByteBuffer m, int fd) {
        oneFd[0] = fd;
        send(m, oneFd);
    }

    /** Not varargs: an update is sent per guest flush, and must not allocate an int[] each time. */
    private void send(ByteBuffer m, int[] fds) {
        if (broken) {
            return;
        }
        m.flip();
        try {
            socket.send(m, fds); // the fds travel with the first bytes of the message
            while (m.hasRemaining()) {
                socket.send(m, NO_FDS);
            }
        } catch (NativeException e) {
            broken = true; // the VMM went away; the vhost-user connection notices and cleans up
        }
    }

    /** Sends header and body as one message (the socket may take it in pieces). */
    private void sendWithBody(ByteBuffer header, ByteBuffer body) {
        if (broken) {
            return;
        }
        header.flip();
        try {
            while (header.hasRemaining() || body.hasRemaining()) {
                socket.send(header, body);
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
