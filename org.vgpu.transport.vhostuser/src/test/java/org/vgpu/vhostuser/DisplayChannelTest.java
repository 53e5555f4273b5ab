package org.vgpu.vhostuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.gpu.spi.ScanoutPixels;
import org.vgpu.virtio.sys.UnixSocket;

/** The display protocol bytes as QEMU's vhost-user-gpu display end reads them. */
class DisplayChannelTest {
    /** Peers of the test, closed (their threads ended) before the next test makes sockets. */
    private final java.util.List<DisplayPeer> peers = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closePeers() {
        peers.forEach(DisplayPeer::close);
    }

    private DisplayPeer peer(UnixSocket qemu, int w, int h) {
        DisplayPeer p = new DisplayPeer(qemu, w, h);
        peers.add(p);
        return p;
    }

    /** A 2x2 scanout in the given format whose pixel (x, y) is 0xff000000 | x << 16 | y << 8 | 0x33. */
    static ScanoutPixels pixels(PixelFormat format, int[] channelOrder) {
        return new ScanoutPixels() {
            @Override public int width() { return 2; }
            @Override public int height() { return 2; }
            @Override public PixelFormat format() { return format; }

            @Override
            public void read(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        int[] argb = { 0xff, x + c, y + r, 0x33 }; // A, R, G, B
                        int at = dstIndex + r * dstStride + c * 4;
                        for (int i = 0; i < 4; i++) {
                            dst.put(at + i, (byte) argb[channelOrder[i]]);
                        }
                    }
                }
            }
        };
    }

    static ByteBuffer receive(UnixSocket peer, int size) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        int[] fds = new int[UnixSocket.MAX_FDS];
        while (b.hasRemaining()) {
            peer.recv(b, fds);
        }
        return b.flip();
    }

    @Test
    void updateConvertsEveryFormatToXrgb8888() throws Exception {
        // byte order in memory per format, as indexes into {A, R, G, B}
        Object[][] cases = {
                { PixelFormat.B8G8R8X8, new int[] { 3, 2, 1, 0 } },
                { PixelFormat.R8G8B8A8, new int[] { 1, 2, 3, 0 } },
                { PixelFormat.X8R8G8B8, new int[] { 0, 1, 2, 3 } },
                { PixelFormat.A8B8G8R8, new int[] { 0, 3, 2, 1 } },
        };
        for (Object[] c : cases) {
            UnixSocket[] pair = UnixSocket.pair();
            try (DisplayChannel channel = new DisplayChannel(pair[0], false); UnixSocket peer = pair[1]) {
                channel.scanout(0, 2, 2);
                receive(peer, 24);
                channel.update(0, 0, 0, 2, 2, pixels((PixelFormat) c[0], (int[]) c[1]));
                ByteBuffer m = receive(peer, 12 + 20 + 16);
                assertEquals(DisplayChannel.UPDATE, m.getInt(0));
                assertEquals(20 + 16, m.getInt(8));
                assertEquals(2, m.getInt(12 + 12), "width");
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 2; x++) {
                        int px = m.getInt(32 + (y * 2 + x) * 4) & 0xffffff;
                        assertEquals(x << 16 | y << 8 | 0x33, px, c[0] + " pixel " + x + "," + y);
                    }
                }
            }
        }
    }

    /**
     * Whole rows in B8G8R8X8 go from the resource's own memory behind the header, with no copy
     * (read() is never called); a narrower rect is copied out through read() as before.
     */
    @Test
    void wholeRowsAreSentFromTheResourcesMemoryAndNarrowerRectsAreCopied() throws Exception {
        int width = 4, height = 3;
        ByteBuffer memory = ByteBuffer.allocateDirect(width * height * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < width * height; i++) {
            memory.putInt(i * 4, 0x00100000 * i + 0x0102);
        }
        int[] reads = new int[1];
        ScanoutPixels pixels = new ScanoutPixels() {
            @Override public int width() { return width; }
            @Override public int height() { return height; }
            @Override public PixelFormat format() { return PixelFormat.B8G8R8X8; }

            @Override
            public ByteBuffer wholeRows(int y, int h) {
                return memory.clear().position(y * width * 4).limit((y + h) * width * 4);
            }

            @Override
            public void read(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
                reads[0]++;
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        dst.putInt(dstIndex + r * dstStride + c * 4, memory.getInt(((y + r) * width + x + c) * 4));
                    }
                }
            }
        };
        UnixSocket[] pair = UnixSocket.pair();
        try (DisplayChannel channel = new DisplayChannel(pair[0], false); UnixSocket peer = pair[1]) {
            channel.scanout(0, width, height);
            receive(peer, 24);
            channel.update(0, 0, 1, width, 2, pixels);
            ByteBuffer m = receive(peer, 12 + 20 + 2 * width * 4);
            assertEquals(DisplayChannel.UPDATE, m.getInt(0));
            assertEquals(20 + 2 * width * 4, m.getInt(8));
            assertEquals(1, m.getInt(12 + 8), "y");
            for (int i = 0; i < 2 * width; i++) {
                assertEquals(0x00100000 * (width + i) + 0x0102, m.getInt(32 + i * 4), "pixel " + i + " of rows 1-2");
            }
            assertEquals(0, reads[0], "whole rows are not copied out first");
            channel.update(0, 1, 0, 2, 1, pixels);
            ByteBuffer narrow = receive(peer, 12 + 20 + 8);
            assertEquals(1, reads[0], "a narrower rect is read");
            assertEquals(0x00100000 + 0x0102, narrow.getInt(32));
            assertEquals(0x00200000 + 0x0102, narrow.getInt(36));
        }
    }

    /** QEMU crashes on an UPDATE for a scanout it has no surface for: nothing is sent before SCANOUT. */
    @Test
    void noUpdateBeforeTheScanoutIsAnnouncedOrAfterItIsDisabled() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        try (DisplayChannel channel = new DisplayChannel(pair[0], false); UnixSocket peer = pair[1]) {
            channel.update(0, 0, 0, 2, 2, pixels(PixelFormat.B8G8R8X8, new int[] { 3, 2, 1, 0 }));
            channel.scanout(0, 2, 2);
            channel.scanout(0, 0, 0);
            channel.update(0, 0, 0, 2, 2, pixels(PixelFormat.B8G8R8X8, new int[] { 3, 2, 1, 0 }));
            channel.cursorMoved(0, 1, 1); // a marker: the next message after the two SCANOUTs
            ByteBuffer m = receive(peer, 24 + 24 + 24);
            assertEquals(DisplayChannel.SCANOUT, m.getInt(0));
            assertEquals(DisplayChannel.SCANOUT, m.getInt(24));
            assertEquals(DisplayChannel.CURSOR_POS, m.getInt(48), "no UPDATE was sent in between");
        }
    }

    /**
     * Plays QEMU: features 0x3 (EDID, DMABUF2), both taken; display info with scanout 0 at 1024x768
     * and 1 at 800x600; then GET_EDID for exactly those two outputs (QEMU answers only for outputs
     * it has), whose EDIDs go to the device.
     */
    @Test
    void handshakeTakesTheModesAndEdidsFromTheDisplay() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        java.util.List<String> requested = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.vgpu.gpu.spi.DisplayControl control = new org.vgpu.gpu.spi.DisplayControl() {
            @Override public void requestMode(int s, int w, int h) { requested.add(s + ":" + w + "x" + h); }
            @Override public void displayEdid(int s, byte[] edid) { requested.add(s + ":edid " + edid.length + " product " + (edid[10] & 0xff)); }
        };
        try (DisplayChannel channel = new DisplayChannel(pair[0], false); UnixSocket qemu = pair[1]) {
            Thread t = new Thread(() -> channel.negotiate("gpuT", control));
            t.start();
            ByteBuffer m = receive(qemu, 12);
            assertEquals(DisplayChannel.GET_PROTOCOL_FEATURES, m.getInt(0));
            ByteBuffer reply = ByteBuffer.allocateDirect(20).order(ByteOrder.LITTLE_ENDIAN);
            reply.putInt(1).putInt(4).putInt(8).putLong(3 | 1L << 40).flip(); // and a bit nobody knows
            qemu.send(reply);
            m = receive(qemu, 20);
            assertEquals(DisplayChannel.SET_PROTOCOL_FEATURES, m.getInt(0));
            assertEquals(3, m.getLong(12), "EDID and DMABUF2 taken, nothing unknown");
            m = receive(qemu, 12);
            assertEquals(DisplayChannel.GET_DISPLAY_INFO, m.getInt(0));
            ByteBuffer info = ByteBuffer.allocateDirect(12 + 408).order(ByteOrder.LITTLE_ENDIAN);
            info.putInt(3).putInt(4).putInt(408).putInt(0x1101);
            info.putInt(12 + 24 + 8, 1024).putInt(12 + 24 + 12, 768).putInt(12 + 24 + 16, 1);
            info.putInt(12 + 48 + 8, 800).putInt(12 + 48 + 12, 600).putInt(12 + 48 + 16, 1);
            info.putInt(12 + 72 + 8, 640).putInt(12 + 72 + 12, 480); // not enabled
            info.position(0).limit(420);
            qemu.send(info);
            for (int scanout = 0; scanout < 2; scanout++) {
                m = receive(qemu, 16);
                assertEquals(DisplayChannel.GET_EDID, m.getInt(0));
                assertEquals(scanout, m.getInt(12), "VhostUserGpuEdidRequest.scanout_id");
                ByteBuffer edid = ByteBuffer.allocateDirect(12 + DisplayChannel.RESP_EDID_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                edid.putInt(DisplayChannel.GET_EDID).putInt(4).putInt(DisplayChannel.RESP_EDID_SIZE).putInt(0x1104);
                edid.putInt(12 + 24, 256).put(12 + 32 + 10, (byte) (0x40 + scanout));
                edid.position(0).limit(12 + DisplayChannel.RESP_EDID_SIZE);
                qemu.send(edid);
            }
            t.join(5000);
            assertEquals(java.util.List.of("0:1024x768", "1:800x600", "0:edid 256 product 64", "1:edid 256 product 65"), requested);
        }
    }

    @Test
    void aWrongReplyEndsTheHandshakeWithoutAModeChange() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        java.util.List<String> requested = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (DisplayChannel channel = new DisplayChannel(pair[0], false); UnixSocket qemu = pair[1]) {
            Thread t = new Thread(() -> channel.negotiate("gpuT", (s, w, h) -> requested.add(s + ":" + w + "x" + h)));
            t.start();
            receive(qemu, 12);
            ByteBuffer reply = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
            reply.putInt(1).putInt(4).putInt(4).putInt(3).flip(); // size 4 instead of 8
            qemu.send(reply);
            t.join(5000);
            assertEquals(false, t.isAlive(), "handshake gave up");
            assertEquals(java.util.List.of(), requested);
        }
    }

    @Test
    void scanoutAndCursorMessages() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        try (DisplayChannel channel = new DisplayChannel(pair[0], false); UnixSocket peer = pair[1]) {
            channel.scanout(1, 1024, 768);
            ByteBuffer m = receive(peer, 24);
            assertEquals(DisplayChannel.SCANOUT, m.getInt(0));
            assertEquals(1, m.getInt(12));
            assertEquals(1024, m.getInt(16));
            assertEquals(768, m.getInt(20));
            channel.cursorMoved(0, 100, 200);
            m = receive(peer, 24);
            assertEquals(DisplayChannel.CURSOR_POS, m.getInt(0));
            assertEquals(200, m.getInt(20));
            ByteBuffer image = ByteBuffer.allocateDirect(64 * 64 * 4).order(ByteOrder.LITTLE_ENDIAN);
            image.putInt(0, 0x80112233);
            channel.cursorImage(0, image, 3, 4);
            m = receive(peer, 12 + 20 + 64 * 64 * 4);
            assertEquals(DisplayChannel.CURSOR_UPDATE, m.getInt(0));
            assertEquals(100, m.getInt(16), "cursor x kept");
            assertEquals(3, m.getInt(24), "hot x");
            assertEquals(0x80112233, m.getInt(32), "first cursor pixel");
            channel.cursorHidden(0);
            m = receive(peer, 24);
            assertEquals(DisplayChannel.CURSOR_POS_HIDE, m.getInt(0));
        }
    }

    /** A 64x48 XRGB8888 buffer in a memfd, pixel (x, y) = x << 16 | y << 8 | 0x5a: stands in for a dma-buf (only its fd travels). */
    static final class FakeDmabuf implements AutoCloseable {
        static final int W = 64, H = 48, STRIDE = W * 4;
        final int fd;
        final org.vgpu.gpu.spi.Dmabuf buffer;

        FakeDmabuf() throws Exception {
            fd = org.vgpu.virtio.sys.LinuxNative.check("memfd_create", org.vgpu.virtio.sys.LinuxNative.memfd_create("fake-dmabuf", 0));
            org.vgpu.virtio.sys.LinuxNative.ftruncate(fd, (long) STRIDE * H);
            long a = org.vgpu.virtio.sys.LinuxNative.mmap(0, (long) STRIDE * H, 3, org.vgpu.virtio.sys.LinuxNative.MAP_SHARED, fd, 0);
            ByteBuffer b = new com.sun.jna.Pointer(a).getByteBuffer(0, (long) STRIDE * H).order(ByteOrder.LITTLE_ENDIAN);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    b.putInt(y * STRIDE + x * 4, expected(x, y));
                }
            }
            org.vgpu.virtio.sys.LinuxNative.munmap(a, (long) STRIDE * H);
            buffer = new org.vgpu.gpu.spi.Dmabuf(fd, W, H, STRIDE, PixelFormat.B8G8R8X8.drmFourcc(), 0);
        }

        static int expected(int x, int y) {
            return x << 16 | y << 8 | 0x5a;
        }

        /** The scanout: rect (8, 4) 32x16 of the buffer; shared as a dma-buf while `shared` is set. */
        ScanoutPixels scanout(java.util.concurrent.atomic.AtomicBoolean shared) {
            return new ScanoutPixels() {
                @Override public int width() { return 32; }
                @Override public int height() { return 16; }
                @Override public PixelFormat format() { return PixelFormat.B8G8R8X8; }
                @Override public org.vgpu.gpu.spi.Dmabuf dmabuf() { return shared.get() ? buffer : null; }
                @Override public int sourceX() { return 8; }
                @Override public int sourceY() { return 4; }

                @Override
                public void read(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
                    for (int r = 0; r < h; r++) {
                        for (int c = 0; c < w; c++) {
                            dst.putInt(dstIndex + r * dstStride + c * 4, expected(8 + x + c, 4 + y + r));
                        }
                    }
                }
            };
        }

        @Override
        public void close() {
            org.vgpu.virtio.sys.LinuxNative.close(fd);
        }
    }

    private static void handshake(DisplayChannel channel) throws Exception {
        Thread t = new Thread(() -> channel.negotiate("gpuD", (s, w, h) -> { }));
        t.start();
        t.join(10_000);
        assertTrue(!t.isAlive(), "the display handshake finished");
        assertEquals(null, channel.handshakeError(), "the display handshake completed");
    }

    @Test
    void aDmabufResourceIsShownByItsBufferNotItsPixels() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        var shared = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (FakeDmabuf buf = new FakeDmabuf(); DisplayChannel channel = new DisplayChannel(pair[0], true); UnixSocket qemu = pair[1]) {
            DisplayPeer peer = peer(qemu, 32, 16);
            handshake(channel);
            ScanoutPixels pixels = buf.scanout(shared);
            channel.scanout(0, 32, 16);
            channel.update(0, 2, 3, 10, 5, pixels);
            assertEquals(1, peer.dmabufScanouts.get());
            int[] f = peer.dmabufScanout;
            assertArrayEquals(new int[] {0, 8, 4, 32, 16, 64, 48, 256, 0, PixelFormat.B8G8R8X8.drmFourcc()}, f);
            assertEquals(0x34325258, f[9], "DRM_FORMAT_XRGB8888 'XR24'");
            ByteBuffer rect = peer.lastDmabufRect;
            for (int r = 0; r < 5; r++) {
                for (int c = 0; c < 10; c++) {
                    assertEquals(FakeDmabuf.expected(8 + 2 + c, 4 + 3 + r), rect.getInt((r * 10 + c) * 4), "pixel " + c + "," + r);
                }
            }
            channel.update(0, 0, 0, 32, 16, pixels);
            assertEquals(1, peer.dmabufScanouts.get(), "the same buffer is announced once");
            assertEquals(2, peer.dmabufUpdates.get());
            assertEquals(2, channel.dmabufUpdates());
            assertEquals(0, peer.updates.get(), "no pixel UPDATE while the buffer is shared");

            // The resource moves to a copying backend: a plain SCANOUT, then pixels again.
            long scanouts = peer.scanouts.get();
            shared.set(false);
            channel.update(0, 1, 1, 4, 4, pixels);
            peer.awaitUpdateAfter(0, 5000);
            assertEquals(scanouts + 1, peer.scanouts.get(), "a plain surface before pixel updates");
            ByteBuffer u = peer.lastUpdate;
            assertEquals(FakeDmabuf.expected(8 + 1, 4 + 1), u.getInt(20));
        }
    }

    @Test
    void aDisplayThatNeverAnswersADmabufUpdateGetsPixelsWithinTheTimeout() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        var shared = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (FakeDmabuf buf = new FakeDmabuf(); DisplayChannel channel = new DisplayChannel(pair[0], true); UnixSocket qemu = pair[1]) {
            DisplayPeer peer = peer(qemu, 32, 16);
            handshake(channel);
            peer.ignoreDmabufUpdates = true;
            ScanoutPixels pixels = buf.scanout(shared);
            channel.scanout(0, 32, 16);
            long t0 = System.nanoTime();
            channel.update(0, 0, 0, 32, 16, pixels);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < DisplayChannel.DMABUF_REPLY_TIMEOUT_MS + 1000, "bounded wait: " + ms + " ms");
            assertEquals(1, peer.awaitDmabufScanouts(1, 5000), "the buffer was offered first (update returned after " + ms + " ms)");
            peer.awaitUpdateAfter(0, 5000);
            assertEquals(0, channel.dmabufUpdates());
            channel.update(0, 0, 0, 32, 16, pixels);
            peer.awaitUpdateAfter(1, 5000); // pixels from now on, no second wait
        }
    }

    @Test
    void dmabufIsOffUnlessConfigured() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        try (FakeDmabuf buf = new FakeDmabuf(); DisplayChannel channel = new DisplayChannel(pair[0], false); UnixSocket qemu = pair[1]) {
            DisplayPeer peer = peer(qemu, 32, 16);
            handshake(channel);
            channel.scanout(0, 32, 16);
            channel.update(0, 0, 0, 32, 16, buf.scanout(new java.util.concurrent.atomic.AtomicBoolean(true)));
            peer.awaitUpdateAfter(0, 5000);
            assertEquals(0, peer.dmabufScanouts.get());
        }
    }

    /** With DMABUF2 negotiated (QEMU 10 and 11.1 offer it) a buffer is announced with DMABUF_SCANOUT2 and its modifier, linear. */
    @Test
    void withDmabuf2TheBufferIsAnnouncedWithItsModifier() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        try (FakeDmabuf buf = new FakeDmabuf(); DisplayChannel channel = new DisplayChannel(pair[0], true); UnixSocket qemu = pair[1]) {
            DisplayPeer peer = peer(qemu, 32, 16);
            peer.protocolFeatures = DisplayPeer.PROTOCOL_DMABUF2;
            handshake(channel);
            channel.scanout(0, 32, 16);
            channel.update(0, 2, 3, 10, 5, buf.scanout(new java.util.concurrent.atomic.AtomicBoolean(true)));
            assertEquals(1, peer.awaitDmabufScanouts(1, 5000));
            assertEquals(DisplayChannel.MODIFIER_LINEAR, peer.lastModifier, "DMABUF_SCANOUT2 with DRM_FORMAT_MOD_LINEAR");
            assertArrayEquals(new int[] {0, 8, 4, 32, 16, 64, 48, 256, 0, PixelFormat.B8G8R8X8.drmFourcc()}, peer.dmabufScanout);
        }
    }

    /** A valid 128-byte EDID whose product code is 0xabcd (bytes 10-11); corrupt: a wrong checksum. */
    static byte[] displayEdid(boolean corrupt) {
        byte[] e = new byte[128];
        byte[] header = {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0};
        System.arraycopy(header, 0, e, 0, 8);
        e[10] = (byte) 0xcd;
        e[11] = (byte) 0xab;
        e[18] = 1;
        e[19] = 4;
        int sum = 0;
        for (int i = 0; i < 127; i++) {
            sum += e[i] & 0xff;
        }
        e[127] = (byte) (corrupt ? 1 - sum : -sum);
        return e;
    }

    private static byte[] guestEdid(GpuDriver d) throws Exception {
        ByteBuffer b = d.begin(0x10a, 0, 0);
        b.putInt(0).putInt(0);
        int slot = d.queue();
        d.kick();
        d.awaitAll();
        ByteBuffer r = d.response(slot, 24 + 8 + 1024);
        assertEquals(0x1104, r.getInt(0), "RESP_OK_EDID");
        byte[] e = new byte[r.getInt(24)];
        r.get(32, e);
        return e;
    }

    /**
     * As QEMU's own back end does, vgpu asks QEMU's display for each output's EDID (GET_EDID, protocol
     * feature EDID) and gives the guest that one; an EDID that is not valid is not used.
     */
    @Test
    void theGuestGetsTheDisplaysOwnEdidIfItIsValid(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        for (boolean corrupt : new boolean[] {false, true}) {
            DisplayChannels displays = new DisplayChannels();
            java.nio.file.Path sock = dir.resolve("edid-" + corrupt + ".sock");
            VhostUserServer server = new VhostUserServer(DisplayIsolationTest.gpu("gpuE", displays), VhostUserProtocolTest.config(sock.toString()), displays);
            byte[] qemuEdid = displayEdid(corrupt);
            try (GpuDriver d = new GpuDriver(sock, true, 1L << 1 /* EDID */, DisplayPeer.PROTOCOL_EDID, qemuEdid)) {
                long deadline = System.currentTimeMillis() + 5000;
                while (d.display().edidRequests.isEmpty() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(java.util.List.of(0), d.display().edidRequests, "asked for its one output's EDID");
                byte[] got = guestEdid(d);
                for (int i = 0; i < 250 && !corrupt && !java.util.Arrays.equals(got, qemuEdid); i++) {
                    Thread.sleep(20); // the display's answer is handled on the channel's own thread
                    got = guestEdid(d);
                }
                if (corrupt) {
                    assertEquals(128, got.length);
                    assertTrue(!java.util.Arrays.equals(got, qemuEdid), "a bad EDID from the display is not passed on");
                    int sum = 0;
                    for (byte b : got) {
                        sum += b & 0xff;
                    }
                    assertEquals(0, sum & 0xff, "the device's own EDID instead");
                } else {
                    assertArrayEquals(qemuEdid, got, "the guest sees QEMU's EDID");
                }
            } finally {
                server.deactivate();
            }
        }
    }
}
