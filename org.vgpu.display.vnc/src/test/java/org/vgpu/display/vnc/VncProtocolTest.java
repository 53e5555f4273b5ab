package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vgpu.display.vnc.RawRfbClient.Rect;

/** The server's RFB, byte for byte, through raw sockets: updates, pixel formats, pseudo-encodings, input, auth. */
class VncProtocolTest {
    final GuestScreen screen = new GuestScreen().show(64, 48, 1);
    final FakeInputTarget input = new FakeInputTarget(GuestScreen.DEVICE);
    final FakeInputTarget otherGuest = new FakeInputTarget("gpu-other");
    VncServer server;

    VncServer start(String password, int... encodings) throws IOException {
        InputRouter router = new InputRouter();
        router.add(input, null);
        router.add(otherGuest, null);
        server = new VncServer(new VncSettings(ListenAddress.parse("127.0.0.1:0"), GuestScreen.DEVICE, 0, password, 4, 4096,
                encodings.length == 0 ? new int[] {Encodings.RAW} : encodings, 10_000), router);
        screen.gpu.state.addSink(server);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Pixel (x, y) of the scanout as the client's 32-bit value for the given shifts. */
    private int expected(int x, int y, int seed, int rShift, int gShift, int bShift) {
        int c = GuestScreen.pattern(x, y, seed);
        return (c >> 16 & 0xff) << rShift | (c >> 8 & 0xff) << gShift | (c & 0xff) << bShift;
    }

    @Test
    void fullUpdateIsTheScanoutInTheServerFormat() throws Exception {
        start("");
        try (RawRfbClient c = RawRfbClient.connect(server).handshake()) {
            assertEquals(64, c.width);
            assertEquals(48, c.height);
            c.request(false, 0, 0, 64, 48);
            List<Rect> rects = c.readUpdate(4);
            assertEquals(1, rects.size(), "the whole screen is one rect");
            Rect r = rects.get(0);
            assertEquals(List.of(0, 0, 64, 48), List.of(r.x(), r.y(), r.w(), r.h()));
            ByteBuffer b = ByteBuffer.wrap(r.data()).order(ByteOrder.LITTLE_ENDIAN);
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 64; x++) {
                    assertEquals(expected(x, y, 1, 16, 8, 0), b.getInt() & 0xffffff, x + "," + y);
                }
            }
        }
    }

    @Test
    void bigEndianAndOtherShiftsAreTranslated() throws Exception {
        start("");
        try (RawRfbClient c = RawRfbClient.connect(server).handshake()) {
            c.setPixelFormat(32, 24, true, 255, 255, 255, 0, 8, 16); // 0x00BBGGRR, big-endian
            c.request(false, 0, 0, 64, 48);
            ByteBuffer b = ByteBuffer.wrap(c.readUpdate(4).get(0).data()).order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < 64 * 48; i++) {
                assertEquals(expected(i % 64, i / 64, 1, 0, 8, 16), b.getInt(), "pixel " + i);
            }
        }
    }

    @Test
    void rgb565IsTranslated() throws Exception {
        start("");
        try (RawRfbClient c = RawRfbClient.connect(server).handshake()) {
            c.setPixelFormat(16, 16, false, 31, 63, 31, 11, 5, 0);
            c.request(false, 0, 0, 64, 48);
            ByteBuffer b = ByteBuffer.wrap(c.readUpdate(2).get(0).data()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 64 * 48; i++) {
                int p = GuestScreen.pattern(i % 64, i / 64, 1);
                int want = ((p >> 16 & 0xff) * 31 + 127) / 255 << 11 | ((p >> 8 & 0xff) * 63 + 127) / 255 << 5 | ((p & 0xff) * 31 + 127) / 255;
                assertEquals(want, b.getShort() & 0xffff, "pixel " + i);
            }
        }
    }

    @Test
    void incrementalUpdateSendsTheUnionOfDamageOnce() throws Exception {
        start("");
        try (RawRfbClient c = RawRfbClient.connect(server).handshake()) {
            c.request(false, 0, 0, 64, 48);
            c.readUpdate(4);
            // Two overlapping flushes before the client asks: one update covering both, damage tiles of 16 px.
            screen.redraw(2, 2, 10, 10, 7);
            screen.redraw(8, 4, 10, 10, 7);
            c.request(true, 0, 0, 64, 48);
            List<Rect> rects = c.readUpdate(4);
            assertEquals(1, rects.size(), "one rect for the union: " + rects);
            Rect r = rects.get(0);
            assertEquals(List.of(0, 0, 32, 16), List.of(r.x(), r.y(), r.w(), r.h()));
            ByteBuffer b = ByteBuffer.wrap(r.data()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(expected(10, 10, 7, 16, 8, 0), b.getInt((10 * 32 + 10) * 4) & 0xffffff, "a redrawn pixel");
            assertEquals(expected(30, 15, 1, 16, 8, 0), b.getInt((15 * 32 + 30) * 4) & 0xffffff, "an unchanged pixel");
            // Nothing changed since: an incremental request waits; the next flush answers it.
            c.request(true, 0, 0, 64, 48);
            screen.redraw(40, 40, 1, 1, 3);
            Rect next = c.readUpdate(4).get(0);
            assertEquals(List.of(32, 32, 16, 16), List.of(next.x(), next.y(), next.w(), next.h()));
        }
    }

    @Test
    void modeChangeIsADesktopSizeThenTheNewFrame() throws Exception {
        start("");
        try (RawRfbClient c = RawRfbClient.connect(server).handshake()) {
            c.setEncodings(Encodings.RAW, Encodings.DESKTOP_SIZE);
            c.request(false, 0, 0, 64, 48);
            c.readUpdate(4);
            screen.show(100, 30, 4);
            c.request(true, 0, 0, 64, 48);
            List<Rect> resize = c.readUpdate(4);
            assertEquals(1, resize.size());
            assertEquals(Encodings.DESKTOP_SIZE, resize.get(0).encoding());
            assertEquals(List.of(100, 30), List.of(c.width, c.height));
            c.request(true, 0, 0, 100, 30);
            List<Rect> frame = c.readUpdate(4);
            int pixels = frame.stream().mapToInt(r -> r.w() * r.h()).sum();
            assertEquals(100 * 30, pixels, "the whole new frame follows");
            Rect r = frame.get(0);
            assertEquals(expected(r.x(), r.y(), 4, 16, 8, 0), ByteBuffer.wrap(r.data()).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffff);
        }
    }

    @Test
    void guestCursorGoesAsCursorPseudoEncodingWithItsMask() throws Exception {
        start("");
        try (RawRfbClient c = RawRfbClient.connect(server).handshake()) {
            c.setEncodings(Encodings.RAW, Encodings.CURSOR);
            ByteBuffer img = ByteBuffer.allocate(64 * 64 * 4).order(ByteOrder.LITTLE_ENDIAN);
            img.putInt(0, 0xff_12_34_56);          // (0,0) opaque
            img.putInt(4 * (64 + 9), 0x80_ab_cd_ef); // (9,1) half: opaque in a 1-bit mask
            img.putInt(4, 0x7f_ff_ff_ff);          // (1,0) under half: transparent
            server.cursorImage(GuestScreen.DEVICE, 0, img, 3, 5);
            c.request(true, 0, 0, 64, 48);
            List<Rect> rects = c.readUpdate(4);
            Rect cur = rects.stream().filter(r -> r.encoding() == Encodings.CURSOR).findFirst().orElseThrow();
            assertEquals(List.of(3, 5, 64, 64), List.of(cur.x(), cur.y(), cur.w(), cur.h()));
            ByteBuffer d = ByteBuffer.wrap(cur.data()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x123456, d.getInt(0) & 0xffffff);
            int mask = 64 * 64 * 4;
            assertEquals(0x80, cur.data()[mask] & 0xff, "row 0: only (0,0) opaque");
            assertEquals(0x40, cur.data()[mask + 8 + 1] & 0xff, "row 1: (9,1) opaque");
            server.cursorHidden(GuestScreen.DEVICE, 0);
            c.request(true, 0, 0, 64, 48);
            Rect hidden = c.readUpdate(4).get(0);
            assertEquals(Encodings.CURSOR, hidden.encoding());
            for (int i = mask; i < hidden.data().length; i++) {
                assertEquals(0, hidden.data()[i], "a hidden cursor has an empty mask");
            }
        }
    }

    /** The one rect of this encoding in an update (fails if there is none or more than one). */
    private static Rect only(List<Rect> rects, int encoding) {
        List<Rect> of = rects.stream().filter(r -> r.encoding() == encoding).toList();
        assertEquals(1, of.size(), "rects of encoding " + encoding + " in " + rects);
        return of.get(0);
    }

    /** A Cursor rect's pixels (server format) and 1-bit mask (alpha >= 128, MSB first) are the guest's image; visible or empty. */
    private static void assertCursorImage(Rect cur, boolean visible) {
        int size = GuestScreen.CURSOR;
        ByteBuffer d = ByteBuffer.wrap(cur.data()).order(ByteOrder.LITTLE_ENDIAN);
        int mask = size * size * 4;
        assertEquals(mask + size / 8 * size, cur.data().length);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int argb = GuestScreen.cursorPattern(x, y);
                assertEquals(argb & 0xffffff, d.getInt((y * size + x) * 4) & 0xffffff, "cursor pixel " + x + "," + y);
                int bit = cur.data()[mask + y * size / 8 + x / 8] >> 7 - x % 8 & 1;
                assertEquals(visible && argb >>> 24 >= 0x80 ? 1 : 0, bit, "mask bit " + x + "," + y + " alpha " + (argb >>> 24));
            }
        }
    }

    /**
     * The guest's cursor through the device: UPDATE_CURSOR (image from a resource, hot spot) is a
     * Cursor rect with the image's exact pixels and mask at the hot spot, and a PointerPos at the
     * cursor's position; MOVE_CURSOR a PointerPos alone; MOVE_CURSOR with resource 0 (hide, as
     * QEMU) a Cursor rect with an empty mask, and a move with the resource shows the image again;
     * UPDATE_CURSOR with resource 0 hides it too, and drops the image: a later move shows nothing.
     */
    @Test
    void guestCursorCommandsReachTheClientAsCursorAndPointerPos() throws Exception {
        start("");
        try (RawRfbClient c = RawRfbClient.connect(server).handshake()) {
            c.setEncodings(Encodings.RAW, Encodings.CURSOR, Encodings.POINTER_POS);
            c.request(false, 0, 0, 64, 48);
            c.readUpdate(4); // the frame (and the not yet visible cursor that came with asking for Cursor)

            int id = screen.setCursor(10, 20, 7, 9);
            c.request(true, 0, 0, 64, 48);
            List<Rect> set = c.readUpdate(4);
            assertEquals(2, set.size(), "cursor and position, no pixels: " + set);
            Rect cur = only(set, Encodings.CURSOR);
            assertEquals(List.of(7, 9, 64, 64), List.of(cur.x(), cur.y(), cur.w(), cur.h()), "x, y: the hot spot");
            assertCursorImage(cur, true);
            Rect at = only(set, Encodings.POINTER_POS);
            assertEquals(List.of(10, 20), List.of(at.x(), at.y()));

            screen.moveCursor(30, 40, id);
            c.request(true, 0, 0, 64, 48);
            List<Rect> moved = c.readUpdate(4);
            assertEquals(1, moved.size(), "a move is the position only: " + moved);
            assertEquals(List.of(30, 40), List.of(only(moved, Encodings.POINTER_POS).x(), moved.get(0).y()));

            screen.moveCursor(60, 45, 0);
            c.request(true, 0, 0, 64, 48);
            List<Rect> hiddenByMove = c.readUpdate(4);
            assertEquals(1, hiddenByMove.size(), "hiding is the cursor only: " + hiddenByMove);
            assertCursorImage(only(hiddenByMove, Encodings.CURSOR), false);

            screen.moveCursor(50, 5, id);
            c.request(true, 0, 0, 64, 48);
            List<Rect> shown = c.readUpdate(4);
            assertEquals(2, shown.size(), "the image again, and where: " + shown);
            assertCursorImage(only(shown, Encodings.CURSOR), true);
            assertEquals(List.of(50, 5), List.of(only(shown, Encodings.POINTER_POS).x(), only(shown, Encodings.POINTER_POS).y()));

            screen.hideCursor();
            c.request(true, 0, 0, 64, 48);
            List<Rect> hidden = c.readUpdate(4);
            assertEquals(1, hidden.size(), "hiding is the cursor only: " + hidden);
            assertCursorImage(only(hidden, Encodings.CURSOR), false);

            // The image went with UPDATE_CURSOR 0: a move shows nothing (the next update is the redraw alone).
            screen.moveCursor(20, 20, id);
            screen.redraw(0, 0, 1, 1, 9);
            c.request(true, 0, 0, 64, 48);
            List<Rect> after = c.readUpdate(4);
            assertEquals(List.of(Encodings.RAW), after.stream().map(Rect::encoding).toList(), "no cursor, no position: " + after);
        }
    }

    @Test
    void keysAndPointerGoToTheInputDevicesOfThisDisplayOnly() throws Exception {
        start("");
        try (RawRfbClient c = RawRfbClient.connect(server).handshake()) {
            c.key(0xffe1, true);  // Shift_L
            c.key('A', true);
            c.key('A', false);
            c.key(0xffe1, false);
            c.key(0xff0d, true);  // Return
            c.key(0xff0d, false);
            c.pointer(0, 10, 20);
            c.pointer(1, 10, 20);  // left down
            c.pointer(0, 10, 20);  // left up
            c.pointer(8, 10, 20);  // wheel up: a press per step
            c.pointer(0, 10, 20);
            c.pointer(16, 63, 47); // wheel down at the far corner
            List<String> got = input.await(16);
            assertEquals(List.of("key 42 down", "key 30 down", "key 30 up", "key 42 up", "key 28 down", "key 28 up",
                    "pointer 10 20 64 48", "pointer 10 20 64 48", "button 0x110 down", "pointer 10 20 64 48", "button 0x110 up",
                    "pointer 10 20 64 48", "wheel 1", "pointer 10 20 64 48", "pointer 63 47 64 48", "wheel -1"), got);
            assertEquals(List.of(), otherGuest.events(), "another guest's devices get nothing");
        }
    }

    @Test
    void keysHeldWhenAClientGoesAreReleased() throws Exception {
        start("");
        try (RawRfbClient c = RawRfbClient.connect(server).handshake()) {
            c.key(0xffe3, true); // Control_L
            c.pointer(4, 1, 1);  // right button down
            input.await(3);
        }
        assertEquals(List.of("key 29 down", "pointer 1 1 64 48", "button 0x111 down", "key 29 up", "button 0x111 up"), input.await(5));
    }

    /** The client's answer to a VNC challenge, computed here from RFB's definition (bit-reversed key bytes). */
    private static byte[] desResponse(String password, byte[] challenge) throws Exception {
        byte[] key = new byte[8];
        byte[] p = password.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 8 && i < p.length; i++) {
            int b = p[i] & 0xff, r = 0;
            for (int bit = 0; bit < 8; bit++) {
                r |= (b >> bit & 1) << (7 - bit);
            }
            key[i] = (byte) r;
        }
        Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
        des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
        return des.doFinal(challenge);
    }

    private int authenticate(RawRfbClient c, String password) throws Exception {
        byte[] v = new byte[12];
        c.in.readFully(v);
        c.out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, c.in.readUnsignedByte());
        assertEquals(VncClient.SECURITY_VNC, c.in.readUnsignedByte(), "a password means VNC authentication");
        c.out.write(VncClient.SECURITY_VNC);
        byte[] challenge = new byte[16];
        c.in.readFully(challenge);
        c.out.write(desResponse(password, challenge));
        return c.in.readInt();
    }

    @Test
    void passwordAuthenticationAcceptsTheRightPassword() throws Exception {
        start("s3cret!x-ignored-after-8");
        try (RawRfbClient c = RawRfbClient.connect(server)) {
            assertEquals(0, authenticate(c, "s3cret!x"), "SecurityResult OK");
            c.out.write(1);
            c.serverInit();
            assertEquals(64, c.width);
        }
    }

    @Test
    void wrongPasswordFailsWithAReasonAndDisconnects() throws Exception {
        start("s3cret");
        try (RawRfbClient c = RawRfbClient.connect(server)) {
            assertEquals(1, authenticate(c, "guess"), "SecurityResult failed");
            byte[] reason = new byte[c.in.readInt()];
            c.in.readFully(reason);
            assertEquals("authentication failed", new String(reason, StandardCharsets.US_ASCII));
            c.assertDisconnected();
        }
    }

    @Test
    void clientsOverTheLimitAreRefused() throws Exception {
        start("");
        RawRfbClient[] four = new RawRfbClient[4];
        try {
            for (int i = 0; i < 4; i++) {
                four[i] = RawRfbClient.connect(server).handshake();
            }
            try (RawRfbClient fifth = RawRfbClient.connect(server)) {
                byte[] v = new byte[12];
                fifth.in.readFully(v);
                assertEquals(0, fifth.in.readUnsignedByte(), "no security types: refused");
                byte[] reason = new byte[fifth.in.readInt()];
                fifth.in.readFully(reason);
                assertEquals("too many clients", new String(reason, StandardCharsets.US_ASCII));
                fifth.assertDisconnected();
            }
        } finally {
            for (RawRfbClient c : four) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aClientThatNeverReadsDoesNotStallTheDevice() throws Exception {
        screen.show(1280, 800, 1);
        start("");
        try (RawRfbClient stuck = new RawRfbClient(server, 4096).handshake()) {
            for (int i = 0; i < 8; i++) {
                stuck.request(false, 0, 0, 1280, 800); // 4 MB each, never read
            }
            try (RawRfbClient live = RawRfbClient.connect(server).handshake()) {
                // The device goes on flushing full frames (on another thread, bounded: a stall fails the test).
                CompletableFuture<Void> device = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 10; i++) {
                        screen.redraw(0, 0, 1280, 800, i);
                    }
                });
                device.get(60, TimeUnit.SECONDS);
                live.request(false, 0, 0, 16, 16);
                assertEquals(List.of(0, 0), List.of(live.readUpdate(4).get(0).x(), 0));
            }
        }
    }

    @Test
    void silentClientIsDroppedAfterTheHandshakeTimeout() throws Exception {
        server = new VncServer(new VncSettings(ListenAddress.parse("127.0.0.1:0"), GuestScreen.DEVICE, 0, "", 4, 4096,
                new int[] {Encodings.RAW}, 300), new InputRouter());
        try (RawRfbClient c = RawRfbClient.connect(server)) {
            byte[] v = new byte[12];
            c.in.readFully(v);
            c.assertDisconnected();
        }
        RealClients.awaitNoClients(server);
    }
}
