package org.vgpu.display.vnc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connected VNC client: a reader thread (handshake, then the client's messages: pixel format,
 * encodings, update requests, input) and a sender thread (waits until the client has asked for an
 * update and something changed, takes the damage out of the framebuffer, encodes, writes). A slow
 * client only delays its own sender; the device's calls only mark damage. Anything malformed closes
 * this client alone.
 */
final class VncClient {
    private static final Logger LOG = Logger.getLogger(VncClient.class.getName());
    static final byte[] VERSION = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
    static final int SECURITY_NONE = 1, SECURITY_VNC = 2;
    /** SetEncodings may list at most this many: real clients send a few dozen. */
    static final int MAX_ENCODINGS = 1024;
    /** Rects per update: more damage than this stays marked for the next update. */
    static final int MAX_RECTS = 256;
    static final int BTN_LEFT = 0x110, BTN_RIGHT = 0x111, BTN_MIDDLE = 0x112;

    private final VncServer server;
    private final Framebuffer fb;
    private final SocketChannel channel;
    private final String remote;
    private final AtomicBoolean closed = new AtomicBoolean();
    volatile boolean ready;

    // ---- guarded by fb ----
    private final DamageGrid damage = new DamageGrid(0, 0);
    private boolean updateRequested, resizePending, cursorPending, pointerPending;
    private int clientWidth, clientHeight;
    private ClientPixelFormat format = ClientPixelFormat.SERVER;
    private int encoding = Encodings.RAW;
    private boolean wantsCursor, wantsDesktopSize, wantsPointerPos;
    private int[] shadow = new int[0];
    private int shadowStride;

    // ---- sender thread only ----
    private final OutBuffer out = new OutBuffer();
    private final int[] rects = new int[MAX_RECTS * 4];
    private final int[] cursor = new int[Framebuffer.CURSOR_SIZE * Framebuffer.CURSOR_SIZE];
    private ZrleEncoder zrle;

    // ---- reader thread only ----
    private int buttons;
    private final boolean[] keysDown = new boolean[Keysyms.MAX_CODE];

    // ---- statistics ----
    volatile long updates, bytesSent;
    private volatile String encodingInUse = "raw";
    /** The client's SetEncodings list as sent (its preference order), for the shell. */
    volatile String clientEncodings = "";

    VncClient(VncServer server, Framebuffer fb, SocketChannel channel, String remote) {
        this.server = server;
        this.fb = fb;
        this.channel = channel;
        this.remote = remote;
    }

    String remote() {
        return remote;
    }

    String describe() {
        synchronized (fb) {
            return remote + " " + clientWidth + "x" + clientHeight + " " + encodingInUse + " " + format
                    + (wantsCursor ? " cursor" : "") + (wantsDesktopSize ? " desktop-size" : "")
                    + " updates " + updates + " bytes " + bytesSent + " client-encodings [" + clientEncodings + "]";
        }
    }

    /** The pixel encoding last used for an update: "raw" or "zrle". */
    String encodingInUse() {
        return encodingInUse;
    }

    void start() {
        Thread reader = new Thread(this::readLoop, "vnc client " + remote);
        reader.setDaemon(true);
        reader.start();
    }

    // ---- framebuffer events (caller holds fb) ----

    void damaged(int x, int y, int w, int h) {
        damage.mark(x, y, w, h);
    }

    void resized(int w, int h) {
        damage.resize(w, h);
        resizePending = true;
    }

    void cursorChanged() {
        cursorPending = true;
    }

    void pointerMoved() {
        pointerPending = true;
    }

    // ---- reader ----

    private void readLoop() {
        RfbInput in = new RfbInput(channel);
        try {
            handshake(in);
            Thread sender = new Thread(this::sendLoop, "vnc sender " + remote);
            sender.setDaemon(true);
            sender.start();
            while (!closed.get()) {
                message(in);
            }
        } catch (RfbException e) {
            close("protocol error: " + e.getMessage());
        } catch (IOException e) {
            close(e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "VNC client " + remote + " failed", e);
            close(e.toString());
        } finally {
            releaseInput();
        }
    }

    private void handshake(RfbInput in) throws IOException, RfbException {
        write(ByteBuffer.wrap(VERSION));
        byte[] v = new byte[12];
        in.bytes(v);
        int minor = minorVersion(v);
        int security = server.settings().authenticates() ? SECURITY_VNC : SECURITY_NONE;
        if (minor == 3) {
            write(ByteBuffer.allocate(4).putInt(0, security));
        } else {
            write(ByteBuffer.wrap(new byte[] {1, (byte) security}));
            int chosen = in.u8();
            if (chosen != security) {
                fail(minor, "security type " + chosen + " was not offered");
            }
        }
        if (security == SECURITY_VNC) {
            byte[] challenge = VncAuth.challenge();
            write(ByteBuffer.wrap(challenge));
            byte[] response = new byte[VncAuth.CHALLENGE_BYTES];
            in.bytes(response);
            if (!server.auth().accepts(challenge, response)) {
                fail(minor, "authentication failed");
            }
            write(ByteBuffer.allocate(4).putInt(0, 0));
        } else if (minor == 8) {
            write(ByteBuffer.allocate(4).putInt(0, 0)); // SecurityResult OK: 3.8 sends it for None too
        }
        in.u8(); // ClientInit: shared flag; every client shares the one scanout
        byte[] name = server.desktopName().getBytes(StandardCharsets.UTF_8);
        ByteBuffer init = ByteBuffer.allocate(24 + name.length);
        synchronized (fb) {
            clientWidth = fb.width;
            clientHeight = fb.height;
            damage.resize(fb.width, fb.height);
            fb.clients.add(this);
        }
        init.putShort((short) clientWidth).putShort((short) clientHeight);
        ClientPixelFormat.SERVER.encode(init);
        init.putInt(name.length).put(name).flip();
        write(init);
        ready = true;
    }

    /** "RFB 003.00N\n": 3 or 8, 7; 3.x below 7 is 3.3 and above 8 is 3.8 (RFB 7.1.1). Else a protocol error. */
    static int minorVersion(byte[] v) throws RfbException {
        String s = new String(v, StandardCharsets.US_ASCII);
        if (!s.matches("RFB \\d{3}\\.\\d{3}\n")) {
            throw new RfbException("bad protocol version string");
        }
        int major = Integer.parseInt(s.substring(4, 7));
        int minor = Integer.parseInt(s.substring(8, 11));
        if (major != 3) {
            throw new RfbException("unsupported protocol version " + major + "." + minor);
        }
        return minor < 7 ? 3 : minor == 7 ? 7 : 8;
    }

    /** A failed security step: 3.8 gets SecurityResult failed with a reason, 3.7/3.3 just the failure (or nothing). */
    private void fail(int minor, String reason) throws IOException, RfbException {
        byte[] r = reason.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + r.length).putInt(1);
        if (minor == 8) {
            b.putInt(r.length).put(r);
        }
        write(b.flip());
        throw new RfbException(reason);
    }

    private void message(RfbInput in) throws IOException, RfbException {
        int type = in.u8();
        switch (type) {
            case 0 -> setPixelFormat(in);
            case 2 -> setEncodings(in);
            case 3 -> updateRequest(in);
            case 4 -> keyEvent(in);
            case 5 -> pointerEvent(in);
            case 6 -> cutText(in);
            default -> throw new RfbException("unknown message type " + type);
        }
    }

    private void setPixelFormat(RfbInput in) throws IOException, RfbException {
        ByteBuffer b = in.need(19);
        b.position(b.position() + 3);
        ClientPixelFormat f = ClientPixelFormat.decode(b);
        synchronized (fb) {
            format = f;
            // Pixels already sent were in the old format; the client expects new ones from the next update.
        }
    }

    private void setEncodings(RfbInput in) throws IOException, RfbException {
        ByteBuffer b = in.need(3);
        b.get();
        int count = b.getShort() & 0xffff;
        if (count > MAX_ENCODINGS) {
            throw new RfbException("SetEncodings lists " + count + " encodings (at most " + MAX_ENCODINGS + ")");
        }
        StringBuilder offered = new StringBuilder(); // SetEncodings is rare: once or twice per connection
        int[] allowed = server.settings().encodings();
        int best = Encodings.RAW, bestRank = Integer.MAX_VALUE;
        boolean cursor = false, desktopSize = false, pointerPos = false;
        for (int i = 0; i < count; i++) {
            int e = in.s32();
            offered.append(i == 0 ? "" : ",").append(e);
            switch (e) {
                case Encodings.CURSOR -> cursor = true;
                case Encodings.DESKTOP_SIZE -> desktopSize = true;
                case Encodings.POINTER_POS -> pointerPos = true;
                default -> {
                    // The client's order is its preference (RFB 7.5.2): the first one we may use wins.
                    for (int a = 0; a < allowed.length; a++) {
                        if (allowed[a] == e && i < bestRank) {
                            best = e;
                            bestRank = i;
                        }
                    }
                }
            }
        }
        clientEncodings = offered.toString();
        synchronized (fb) {
            encoding = best;
            cursorPending |= cursor && !wantsCursor;
            wantsCursor = cursor;
            wantsDesktopSize = desktopSize;
            wantsPointerPos = pointerPos;
            fb.notifyAll();
        }
    }

    private void updateRequest(RfbInput in) throws IOException, RfbException {
        ByteBuffer b = in.need(9);
        boolean incremental = b.get() != 0;
        int x = b.getShort() & 0xffff, y = b.getShort() & 0xffff, w = b.getShort() & 0xffff, h = b.getShort() & 0xffff;
        synchronized (fb) {
            // Against the size this client was told: a request racing a resize is still valid.
            if (x + w > clientWidth || y + h > clientHeight) {
                throw new RfbException("FramebufferUpdateRequest " + w + "x" + h + "+" + x + "+" + y + " outside the "
                        + clientWidth + "x" + clientHeight + " framebuffer");
            }
            if (!incremental) {
                damage.mark(x, y, w, h);
            }
            updateRequested = true;
            fb.notifyAll();
        }
    }

    private void keyEvent(RfbInput in) throws IOException {
        ByteBuffer b = in.need(7);
        boolean down = b.get() != 0;
        b.getShort();
        int code = Keysyms.evdev(b.getInt());
        if (code == 0 || keysDown[code] == down && !down) {
            return; // a keysym without a key, or a release of a key not pressed
        }
        keysDown[code] = down;
        server.input().key(server.settings().device(), code, down);
    }

    private void pointerEvent(RfbInput in) throws IOException {
        ByteBuffer b = in.need(5);
        int mask = b.get() & 0xff;
        int x = b.getShort() & 0xffff, y = b.getShort() & 0xffff;
        int w, h;
        synchronized (fb) {
            w = clientWidth;
            h = clientHeight;
        }
        String display = server.settings().device();
        InputRouter input = server.input();
        input.pointer(display, Math.min(x, w - 1), Math.min(y, h - 1), w, h);
        int changed = mask ^ buttons;
        // RFB mask bits: 0 left, 1 middle, 2 right, 3 wheel up, 4 wheel down (a press per step).
        if ((changed & 1) != 0) {
            input.button(display, BTN_LEFT, (mask & 1) != 0);
        }
        if ((changed & 2) != 0) {
            input.button(display, BTN_MIDDLE, (mask & 2) != 0);
        }
        if ((changed & 4) != 0) {
            input.button(display, BTN_RIGHT, (mask & 4) != 0);
        }
        if ((changed & mask & 8) != 0) {
            input.wheel(display, 1);
        }
        if ((changed & mask & 16) != 0) {
            input.wheel(display, -1);
        }
        buttons = mask;
    }

    private void cutText(RfbInput in) throws IOException, RfbException {
        ByteBuffer b = in.need(7);
        b.position(b.position() + 3);
        int length = b.getInt();
        int max = server.settings().maxCutText();
        if (length < 0 || length > max) {
            // Negative is the extended-clipboard form, which this server does not announce.
            throw new RfbException("ClientCutText of " + Integer.toUnsignedString(length) + " bytes (at most " + max + ")");
        }
        in.skip(length); // the guest has no clipboard channel here: read and drop
    }

    // ---- sender ----

    private void sendLoop() {
        try {
            while (!closed.get()) {
                if (takeUpdate()) {
                    write(out.view());
                    updates++;
                    bytesSent += out.pos;
                }
            }
        } catch (IOException e) {
            close(e.getMessage());
        } catch (InterruptedException e) {
            close("interrupted");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "VNC sender for " + remote + " failed", e);
            close(e.toString());
        } finally {
            if (zrle != null) {
                zrle.close();
            }
        }
    }

    /**
     * Waits for a requested update with something in it, then encodes it into out. The framebuffer
     * lock is held only to copy the damaged rects into this client's shadow; encoding runs without it.
     * False if there turned out to be nothing to send (or the client closed).
     */
    private boolean takeUpdate() throws InterruptedException {
        int n;
        boolean resize = false, sendCursor = false, sendPointer = false, cursorVisible = false;
        int w, h, hotX = 0, hotY = 0, px = 0, py = 0, stride, enc;
        ClientPixelFormat pf;
        synchronized (fb) {
            while (!closed.get() && !(updateRequested && (resizePending || cursorPending && wantsCursor
                    || pointerPending && wantsPointerPos || !damage.isEmpty()))) {
                fb.wait();
            }
            if (closed.get()) {
                return false;
            }
            updateRequested = false;
            n = 0;
            if (resizePending) {
                resizePending = false;
                if (wantsDesktopSize) {
                    clientWidth = fb.width;
                    clientHeight = fb.height;
                    resize = true;
                }
                // Without DesktopSize the client keeps its size and sees the part that still fits.
            }
            w = clientWidth;
            h = clientHeight;
            pf = format;
            enc = encoding;
            stride = fb.width;
            if (!resize) {
                n = damage.takeRects(rects, Math.min(w, fb.width), Math.min(h, fb.height));
                if (shadow.length != fb.pixels.length) {
                    shadow = new int[fb.pixels.length]; // a mode change
                }
                shadowStride = stride;
                for (int i = 0; i < n; i++) {
                    int rx = rects[i * 4], ry = rects[i * 4 + 1], rw = rects[i * 4 + 2], rh = rects[i * 4 + 3];
                    for (int r = ry; r < ry + rh; r++) {
                        System.arraycopy(fb.pixels, r * stride + rx, shadow, r * stride + rx, rw);
                    }
                }
                if (cursorPending && wantsCursor) {
                    cursorPending = false;
                    sendCursor = true;
                    cursorVisible = fb.cursorVisible;
                    System.arraycopy(fb.cursor, 0, cursor, 0, cursor.length);
                    hotX = fb.cursorHotX;
                    hotY = fb.cursorHotY;
                }
                if (pointerPending && wantsPointerPos) {
                    pointerPending = false;
                    sendPointer = true;
                    px = Math.min(fb.cursorX, w - 1);
                    py = Math.min(fb.cursorY, h - 1);
                }
            }
            int count = (resize ? 1 : 0) + n + (sendCursor ? 1 : 0) + (sendPointer ? 1 : 0);
            if (count == 0) {
                updateRequested = true; // the damage was outside what the client can see: wait for more
                return false;
            }
            out.reset();
            out.u8(0).u8(0).u16(count);
        }
        if (resize) {
            out.rect(0, 0, w, h, Encodings.DESKTOP_SIZE);
            return true;
        }
        for (int i = 0; i < n; i++) {
            int rx = rects[i * 4], ry = rects[i * 4 + 1], rw = rects[i * 4 + 2], rh = rects[i * 4 + 3];
            if (enc == Encodings.ZRLE) {
                if (zrle == null) {
                    zrle = new ZrleEncoder();
                }
                zrle.encode(out, shadow, shadowStride, rx, ry, rw, rh, pf);
            } else {
                RawEncoder.encode(out, shadow, shadowStride, rx, ry, rw, rh, pf);
            }
        }
        if (n > 0) {
            encodingInUse = Encodings.name(enc);
        }
        if (sendCursor) {
            writeCursor(cursorVisible, hotX, hotY, pf);
        }
        if (sendPointer) {
            out.rect(px, py, 0, 0, Encodings.POINTER_POS);
        }
        return true;
    }

    /** Cursor pseudo-rect (RFB 7.8.1): 64x64 pixels, then a 1-bit mask (alpha >= 128), rows byte-padded. */
    private void writeCursor(boolean visible, int hotX, int hotY, ClientPixelFormat pf) {
        int size = Framebuffer.CURSOR_SIZE;
        out.rect(Math.min(hotX, size - 1), Math.min(hotY, size - 1), size, size, Encodings.CURSOR);
        out.ensure(size * size * pf.bytesPerPixel + size / 8 * size);
        byte[] d = out.data;
        int pos = out.pos;
        for (int i = 0; i < cursor.length; i++) {
            pos = pf.putPixel(d, pos, cursor[i]);
        }
        for (int r = 0; r < size; r++) {
            for (int byteCol = 0; byteCol < size / 8; byteCol++) {
                int bits = 0;
                for (int b = 0; b < 8; b++) {
                    boolean opaque = visible && cursor[r * size + byteCol * 8 + b] >>> 24 >= 0x80;
                    bits = bits << 1 | (opaque ? 1 : 0);
                }
                d[pos++] = (byte) bits;
            }
        }
        out.pos = pos;
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    // ---- closing ----

    boolean isClosed() {
        return closed.get();
    }

    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.log(Level.INFO, "VNC client {0} disconnected: {1}", new Object[] {remote, reason});
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
        synchronized (fb) {
            fb.clients.remove(this);
            fb.notifyAll();
        }
        server.removed(this);
    }

    /** Releases what this client held pressed, so a client gone mid-chord leaves no stuck key in the guest. Reader thread. */
    private void releaseInput() {
        String display = server.settings().device();
        for (int code = 0; code < keysDown.length; code++) {
            if (keysDown[code]) {
                keysDown[code] = false;
                server.input().key(display, code, false);
            }
        }
        if ((buttons & 1) != 0) {
            server.input().button(display, BTN_LEFT, false);
        }
        if ((buttons & 2) != 0) {
            server.input().button(display, BTN_MIDDLE, false);
        }
        if ((buttons & 4) != 0) {
            server.input().button(display, BTN_RIGHT, false);
        }
        buttons = 0;
    }
}
