package org.vgpu.backend.hostmem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * The cross-domain channel's checks, each hostile case on its own, through the device's command
 * path against a fake compositor that sees exactly what vgpu passes it: a failed command passes
 * no byte and no fd; identifiers are per context; only the configured socket is connected; a
 * stalled, flooding or dead compositor affects its own channel only.
 */
@Timeout(60)
class CrossDomainChannelTest {
    static final int CTX = 3, OTHER = 4, QUERY = 1, CHANNEL = 2, BLOB = 10;
    static final byte[] HELLO = "hello compositor".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    FakeCompositor compositor;
    CrossDomainGuest guest;
    ChannelPeer peer;

    @BeforeEach
    void start() throws Exception {
        compositor = new FakeCompositor(dir.resolve("wl-fake"));
        guest = new CrossDomainGuest(GpuSettings.defaults("xd").withWaylandSocket(compositor.path.toString()));
        peer = new ChannelPeer(guest, CTX, QUERY, CHANNEL);
    }

    @AfterEach
    void stop() {
        guest.close();
        compositor.close();
    }

    /** The fake's end of the channel after a good INIT. */
    UnixSocket connect(ChannelPeer p) throws Exception {
        assertEquals(RESP_OK_NODATA, p.initWayland());
        return compositor.connection();
    }

    static int supportedChannels(GpuSettings settings) {
        GpuHarness h = new GpuHarness(settings.withCrossDomain(true), 1 << 20);
        assertEquals(RESP_OK_CAPSET, h.cmd(CMD_GET_CAPSET, CAPSET_CROSS_DOMAIN, 0));
        assertEquals(1, h.resp.getInt(24), "version 1");
        assertEquals(0, h.resp.getInt(32), "supports_dmabuf: the buffers are memfds");
        return h.resp.getInt(28);
    }

    @Test
    void waylandIsOfferedOnlyWhileTheConfiguredSocketAccepts() throws Exception {
        assertEquals(1 << 1, supportedChannels(GpuSettings.defaults("a").withWaylandSocket(compositor.path.toString())));
        assertEquals(0, supportedChannels(GpuSettings.defaults("b").withWaylandSocket(dir.resolve("nothing").toString())));
        Files.writeString(dir.resolve("file"), "x");
        assertEquals(0, supportedChannels(GpuSettings.defaults("c").withWaylandSocket(dir.resolve("file").toString())), "not a socket");
        FakeCompositor stale = new FakeCompositor(dir.resolve("stale"));
        stale.close(); // the socket file stays, nobody listens
        assertEquals(0, supportedChannels(GpuSettings.defaults("d").withWaylandSocket(stale.path.toString())), "a stale socket file");
    }

    @Test
    void initNamesOnlyTheContextsOwnGuestRingsAndConnectsOnlyTheConfiguredSocket() throws Exception {
        ChannelPeer other = new ChannelPeer(guest, OTHER, 21, 22);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, guest.submit(CTX, ChannelPeer.init(QUERY, 22, 1)), "another context's ring");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, guest.submit(CTX, ChannelPeer.init(QUERY, 999, 1)), "no such resource");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, guest.submit(CTX, ChannelPeer.init(QUERY, QUERY, 1)), "the query ring twice");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, ChannelPeer.init(QUERY, CHANNEL, 0x11)), "X11 is not offered");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, ChannelPeer.init(QUERY, CHANNEL, 2)), "camera is not offered");
        assertEquals(RESP_OK_NODATA, guest.guestBlob(CTX, 5, guest.allocate(4096), 2048));
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, ChannelPeer.init(QUERY, 5, 1)), "a ring smaller than a message");
        assertEquals(RESP_OK_NODATA, imageBlob(CTX, BLOB, 64, 64));
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, ChannelPeer.init(QUERY, BLOB, 1)), "a host blob has no guest ring pages");
        ByteBuffer shortInit = ChannelPeer.init(QUERY, CHANNEL, 1);
        shortInit.putShort(2, (short) 16);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, shortInit.limit(16)), "an INIT without the channel fields");
        assertFalse(compositor.connectsWithin(200), "no failed INIT connected");

        connect(peer);
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.initWayland(), "one channel per context");
        assertFalse(compositor.connectsWithin(200));
        connect(other);
        assertTrue(guest.device.state().contexts().get(CTX).contains("wayland channel " + compositor.path), guest.device.state().contexts().get(CTX));

        compositor.close();
        CrossDomainGuest gone = new CrossDomainGuest(GpuSettings.defaults("gone").withWaylandSocket(compositor.path.toString()));
        try {
            ChannelPeer late = new ChannelPeer(gone, CTX, QUERY, CHANNEL);
            assertEquals(RESP_ERR_UNSPEC, late.initWayland(), "nobody listens any more");
        } finally {
            gone.close();
        }
    }

    /** GET_IMAGE_REQUIREMENTS + CREATE_BLOB(HOST3D) of w x h XR24 in ctx (after a query-ring INIT of it). */
    int imageBlob(int ctx, int id, int w, int h) throws Exception {
        ByteBuffer req = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        req.put(0, (byte) 2).putShort(2, (short) 24).putInt(8, w).putInt(12, h).putInt(16, PixelFormat.B8G8R8X8.drmFourcc());
        if (ctx == CTX) {
            assertEquals(RESP_OK_NODATA, guest.submit(CTX, ChannelPeer.init(QUERY, 0, 0)));
        }
        assertEquals(RESP_OK_NODATA, guest.submit(ctx, req));
        ByteBuffer answer = guest.read(ctx == CTX ? peer.queryAddress : otherQuery, 64);
        return guest.hostBlob(ctx, id, answer.getInt(48) & 0xffffffffL, answer.getLong(40));
    }

    long otherQuery;

    @Test
    void channelCommandsNeedAWaylandInit() throws Exception {
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO), "SEND before INIT");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, ChannelPeer.write(2, false, HELLO)), "WRITE before INIT");
        ByteBuffer poll = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        poll.put(0, (byte) 3).putShort(2, (short) 16);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, poll), "POLL before INIT");
        assertEquals(RESP_OK_NODATA, guest.submit(CTX, ChannelPeer.init(QUERY, 0, 0)), "a query-only INIT");
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO), "still no channel");
        int fenced = guest.poll(CTX);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.await(fenced, 5_000), "a POLL without a channel fails, its fence at once");
        assertFalse(compositor.connectsWithin(200));
    }

    @Test
    void unknownAndMisSizedCommandsAreRefused() throws Exception {
        UnixSocket s = connect(peer);
        for (int cmd : new int[] {0, 5, 6, 8, 11, 0xff}) {
            ByteBuffer b = ByteBuffer.allocate(SEND_RECEIVE_SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
            b.put(0, (byte) cmd).putShort(2, (short) b.limit());
            assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, b), "command " + cmd);
        }
        ByteBuffer send = ChannelPeer.sendCommand(HELLO);
        ByteBuffer zero = send.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        zero.putShort(2, (short) 0);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, zero), "cmd_size 0");
        ByteBuffer past = ChannelPeer.sendCommand(HELLO);
        past.putShort(2, (short) (past.limit() + 4));
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, past), "cmd_size past the buffer");
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.put(0, (byte) 4).putShort(2, (short) 24);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, header), "a SEND shorter than its struct");
        ByteBuffer write = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        write.put(0, (byte) 7).putShort(2, (short) 16);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, write), "a WRITE shorter than its struct");
        assertFalse(s.awaitReadable(200), "nothing reached the compositor");
    }

    @Test
    void aSendWithAnyBadIdentifierOrSizePassesNothing() throws Exception {
        ChannelPeer other = new ChannelPeer(guest, OTHER, 21, 22);
        otherQuery = other.queryAddress;
        assertEquals(RESP_OK_NODATA, guest.submit(OTHER, ChannelPeer.init(21, 0, 0)));
        assertEquals(RESP_OK_NODATA, imageBlob(OTHER, 30, 16, 16));
        assertEquals(RESP_OK_NODATA, imageBlob(CTX, BLOB, 16, 16));
        UnixSocket s = connect(peer);

        ByteBuffer many = ChannelPeer.sendCommand(HELLO, BLOB, 1);
        many.putInt(8, 29);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, many), "29 identifiers");
        ByteBuffer huge = ChannelPeer.sendCommand(HELLO);
        huge.putInt(12, -1);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, huge), "opaque_data_size 4 GiB");
        ByteBuffer over = ChannelPeer.sendCommand(HELLO);
        over.putInt(12, over.limit() - SEND_RECEIVE_SIZE + 1);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, over), "opaque data past cmd_size");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, peer.send(HELLO, 30, 1), "another context's blob");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, peer.send(HELLO, BLOB, 1, 30, 1), "one bad of two");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, peer.send(HELLO, 9999, 1), "no such resource");
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO, CHANNEL, 1), "a guest-page ring has no host fd (no udmabuf here)");
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO, BLOB, 2), "SYNC identifiers are not offered");
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO, BLOB, 4), "a WRITE_PIPE is the host's to name");
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO, BLOB, 99), "an unknown type");
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO, 0x80000005, 3), "a wrong read-pipe guess");
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO, 0x80000001, 3, 0x80000002, 3), "two read pipes");
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO, 12345, 5), "an event it never received");
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(new byte[0], BLOB, 1), "fds without a byte to carry them");
        assertFalse(s.awaitReadable(300), "no failed SEND passed a byte or an fd");

        byte[] pattern = new byte[16 * 16 * 4];
        for (int i = 0; i < pattern.length; i += 4) {
            pattern[i] = (byte) i;
            pattern[i + 1] = (byte) (i >> 8);
        }
        assertEquals(RESP_OK_MAP_INFO, guest.mapBlob(CTX, BLOB, 0));
        for (int i = 0; i < pattern.length; i += 4) {
            guest.window.guestWrite(0, i, ByteBuffer.wrap(pattern, i, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        }
        assertEquals(RESP_OK_NODATA, peer.send(HELLO, BLOB, 1));
        FakeCompositor.Received got = FakeCompositor.receive(s);
        assertArrayEquals(HELLO, got.data());
        assertEquals(1, got.fds().length, "the blob's fd");
        assertArrayEquals(pattern, FakeCompositor.read(got.fds()[0], pattern.length), "the fd is the blob's memory, as the guest drew it");
        LinuxNative.closeQuietly(got.fds()[0]);
        // The channel's writer thread counts a message after its sendmsg returns, which may be just after the compositor has it.
        String sent = "to compositor " + HELLO.length + " B 1 fds";
        String listing = guest.device.state().contexts().get(CTX);
        for (long deadline = System.nanoTime() + 5_000_000_000L; !listing.contains(sent) && System.nanoTime() < deadline; ) {
            Thread.sleep(10);
            listing = guest.device.state().contexts().get(CTX);
        }
        assertTrue(listing.contains(sent), listing);
    }

    @Test
    void fdsFromTheCompositorBecomeThisContextsIdentifiers() throws Exception {
        ChannelPeer other = new ChannelPeer(guest, OTHER, 21, 22);
        UnixSocket s = connect(peer);
        UnixSocket s2 = connect(other);
        byte[] keymap = "xkb_keymap {\n};\n".getBytes(StandardCharsets.US_ASCII);
        int memfd = FakeCompositor.memfd("keymap", keymap, 0);
        int[] pipe = new int[2];
        LinuxNative.check("pipe2", LinuxNative.pipe2(pipe, LinuxNative.O_CLOEXEC));
        int event = LinuxNative.check("eventfd", LinuxNative.eventfd(0, LinuxNative.EFD_CLOEXEC));
        s.send(ByteBuffer.wrap(HELLO), memfd, pipe[1], event);
        LinuxNative.closeQuietly(memfd);
        LinuxNative.closeQuietly(pipe[1]);

        ChannelPeer.Message m = peer.next(10_000);
        assertArrayEquals(HELLO, m.data());
        assertArrayEquals(new int[] {1, 4, 5}, m.types(), "VIRTGPU_BLOB, WRITE_PIPE, EVENT");
        assertEquals(keymap.length, m.sizes()[0], "the memfd's size");
        int pipeId = m.ids()[1], eventId = m.ids()[2];
        assertTrue(m.ids()[0] != pipeId && pipeId != eventId && m.ids()[0] > 0 && pipeId > 0 && eventId > 0,
                "distinct identifiers below the read-pipe range");

        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(OTHER, ChannelPeer.write(pipeId, false, HELLO)), "another context's identifier");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, ChannelPeer.write(pipeId + 1000, false, HELLO)), "an unknown one");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, ChannelPeer.write(m.ids()[0], false, HELLO)), "a blob is not written");
        ByteBuffer bigWrite = ChannelPeer.write(pipeId, false, HELLO);
        bigWrite.putInt(16, 1 << 30);
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, bigWrite), "data past cmd_size");
        assertEquals(RESP_OK_NODATA, guest.submit(CTX, ChannelPeer.write(pipeId, false, HELLO)));
        assertArrayEquals(HELLO, FakeCompositor.read(pipe[0], 100), "the guest's bytes in the compositor's pipe");
        assertEquals(RESP_OK_NODATA, guest.submit(CTX, ChannelPeer.write(pipeId, true, new byte[0])), "hang_up");
        assertEquals(0, FakeCompositor.read(pipe[0], 100).length, "the pipe is closed: end of file");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, ChannelPeer.write(pipeId, false, HELLO)), "gone after hang_up");
        LinuxNative.closeQuietly(pipe[0]);

        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.submit(CTX, ChannelPeer.write(eventId, false, new byte[4])), "an eventfd takes 8 bytes");
        assertEquals(RESP_OK_NODATA, guest.submit(CTX, ChannelPeer.write(eventId, false, new byte[] {3, 0, 0, 0, 0, 0, 0, 0})));
        byte[] count = FakeCompositor.read(event, 8);
        assertEquals(3, ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).getLong(), "the guest signalled the compositor's eventfd");
        assertEquals(RESP_ERR_INVALID_PARAMETER, other.send(HELLO, eventId, 5), "another context cannot pass it");
        assertEquals(RESP_OK_NODATA, peer.send(HELLO, eventId, 5));
        FakeCompositor.Received back = FakeCompositor.receive(s);
        assertEquals(1, back.fds().length, "the eventfd went back");
        LinuxNative.closeQuietly(back.fds()[0]);
        LinuxNative.closeQuietly(event);
        assertFalse(s2.awaitReadable(200), "nothing on the other context's connection");
    }

    @Test
    void aKeymapFromTheCompositorBecomesABlobTheGuestMaps() throws Exception {
        ChannelPeer other = new ChannelPeer(guest, OTHER, 21, 22);
        UnixSocket s = connect(peer);
        connect(other);
        byte[] keymap = "xkb_keymap {\n\txkb_keycodes \"evdev\" { };\n};\n".getBytes(StandardCharsets.US_ASCII);
        int sealed = FakeCompositor.memfd("keymap", keymap, LinuxNative.F_SEAL_SHRINK | LinuxNative.F_SEAL_GROW | LinuxNative.F_SEAL_WRITE);
        int loose = FakeCompositor.memfd("loose", keymap, 0);
        s.send(ByteBuffer.wrap(HELLO), sealed, loose);
        LinuxNative.closeQuietly(sealed);
        LinuxNative.closeQuietly(loose);
        ChannelPeer.Message m = peer.next(10_000);
        assertArrayEquals(new int[] {1, 1}, m.types());
        int id = m.ids()[0], looseId = m.ids()[1];
        assertEquals(keymap.length, m.sizes()[0]);

        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.hostBlob(OTHER, 40, id, keymap.length), "another context's identifier");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.hostBlob(CTX, 40, id, keymap.length + 1), "a wrong size");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.hostBlob(CTX, 41, looseId, keymap.length), "not sealed: it could shrink under a mapping");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.hostBlob(CTX, 40, 0x1_0000_0000L + id, keymap.length), "blob_id past 32 bits");
        assertEquals(RESP_OK_NODATA, guest.hostBlob(CTX, 40, id, 4096), "its size page-rounded");
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.hostBlob(CTX, 42, id, keymap.length), "redeemed once");
        assertEquals(RESP_OK_MAP_INFO, guest.mapBlob(CTX, 40, 0x100000));
        String first = new String(guest.window.guestRead(0x100000, 0, keymap.length), StandardCharsets.US_ASCII).lines().findFirst().orElse("");
        assertEquals("xkb_keymap {", first, "the guest reads the compositor's keymap through its mapping");
        assertEquals(0, guest.device.state().statsSnapshot().bytesCopied());
    }

    /** Memory that is not whole pages is copied to page size for mapping; a compositor cannot make that copy huge. */
    @Test
    void receivedMemoryBeyondTheCopyBoundIsRefusedUnlessItIsWholePages() throws Exception {
        UnixSocket s = connect(peer);
        int big = (16 << 20) + 1; // ReceivedMemory.MAX_COPIED + 1, not whole pages
        int seals = LinuxNative.F_SEAL_SHRINK | LinuxNative.F_SEAL_GROW | LinuxNative.F_SEAL_WRITE;
        int odd = FakeCompositor.memfd("odd", new byte[big], seals);
        int pages = FakeCompositor.memfd("pages", new byte[big - 1], seals);
        s.send(ByteBuffer.wrap(HELLO), odd, pages);
        LinuxNative.closeQuietly(odd);
        LinuxNative.closeQuietly(pages);
        ChannelPeer.Message m = peer.next(10_000);
        assertArrayEquals(new int[] {1, 1}, m.types());
        assertEquals(RESP_ERR_INVALID_PARAMETER, guest.hostBlob(CTX, 50, m.ids()[0], big), "16 MiB + 1 byte would have to be copied");
        assertEquals(RESP_OK_NODATA, guest.hostBlob(CTX, 51, m.ids()[1], big - 1), "16 MiB of whole pages is mapped as it is");
        assertEquals(0, guest.device.state().statsSnapshot().bytesCopied());
    }

    @Test
    void aReadPipeBringsTheCompositorsBytesBackAsReads() throws Exception {
        UnixSocket s = connect(peer);
        assertEquals(RESP_OK_NODATA, peer.send(HELLO, 0x80000001, 3));
        FakeCompositor.Received got = FakeCompositor.receive(s);
        assertEquals(1, got.fds().length);
        byte[] clip = "clipboard text".getBytes(StandardCharsets.US_ASCII);
        FakeCompositor.write(got.fds()[0], clip);
        LinuxNative.closeQuietly(got.fds()[0]);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ChannelPeer.Message m;
        do {
            m = peer.next(10_000);
            assertEquals(ChannelPeer.CMD_READ, m.cmd());
            assertEquals(0x80000001, m.identifier());
            data.writeBytes(m.data());
        } while (!m.hangUp());
        assertArrayEquals(clip, data.toByteArray());
        assertEquals(RESP_ERR_INVALID_PARAMETER, peer.send(HELLO, 0x80000001, 3), "ids are not reused");
        assertEquals(RESP_OK_NODATA, peer.send(HELLO, 0x80000002, 3), "the next guess");
        LinuxNative.closeQuietly(FakeCompositor.receive(s).fds()[0]);
    }

    @Test
    void aCompositorPassingAnFdTheGuestCannotUseLosesItsChannel() throws Exception {
        UnixSocket s = connect(peer);
        UnixSocket[] pair = UnixSocket.pair();
        s.send(ByteBuffer.wrap(HELLO), pair[0].fd());
        ChannelPeer.Message m = peer.next(10_000);
        assertEquals(0, m.data().length, "hang-up, not the message");
        assertEquals(0, m.ids().length);
        assertTrue(s.awaitReadable(10_000), "vgpu ends the connection");
        assertEquals(0, s.recv(ByteBuffer.allocate(16), new int[UnixSocket.MAX_FDS]), "vgpu closed the connection");
        pair[0].close();
        pair[1].close();
    }

    @Test
    void aStalledCompositorStallsOnlyItsChannel() throws Exception {
        UnixSocket s = connect(peer); // never read
        byte[] chunk = new byte[3000];
        int refusedAt = -1;
        for (int i = 0; i < 2000 && refusedAt < 0; i++) {
            long t0 = System.nanoTime();
            int r = peer.send(chunk);
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "a SEND never waits for the compositor");
            if (r == RESP_ERR_OUT_OF_MEMORY) {
                refusedAt = i;
            } else {
                assertEquals(RESP_OK_NODATA, r);
            }
        }
        assertTrue(refusedAt > 0 && refusedAt * (long) chunk.length < 4L << 20, "bounded: refused after " + refusedAt + " SENDs");
        assertEquals(RESP_OK_DISPLAY_INFO, guest.command(CMD_GET_DISPLAY_INFO, 0, ByteBuffer.allocate(0)), "the device goes on");
        FakeCompositor.Received first = FakeCompositor.receive(s);
        assertTrue(first.data().length > 0, "and the compositor gets its bytes once it reads");
    }

    @Test
    void aFloodFromTheCompositorArrivesWholeAndInOrderThroughABoundedQueue() throws Exception {
        UnixSocket s = connect(peer);
        byte[] flood = new byte[1 << 20];
        new java.util.Random(7).nextBytes(flood);
        Thread sender = new Thread(() -> {
            try {
                ByteBuffer b = ByteBuffer.wrap(flood);
                while (b.hasRemaining()) {
                    ByteBuffer part = b.duplicate();
                    part.limit(Math.min(b.limit(), b.position() + 65536));
                    b.position(b.position() + s.send(part));
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        sender.start();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < flood.length) {
            ChannelPeer.Message m = peer.next(10_000);
            assertTrue(m.data().length > 0, "no hang-up");
            assertTrue(m.data().length <= 4096 - SEND_RECEIVE_SIZE, "a RECEIVE fits the one-page ring");
            got.writeBytes(m.data());
        }
        sender.join(10_000);
        assertArrayEquals(flood, got.toByteArray());
        String listing = guest.device.state().contexts().get(CTX);
        assertTrue(listing.contains("from compositor " + flood.length + " B 0 fds"), listing);
    }

    @Test
    void aHangUpAndAContextsEndAreEachSeenByTheOtherSide() throws Exception {
        ChannelPeer other = new ChannelPeer(guest, OTHER, 21, 22);
        UnixSocket s = connect(peer);
        UnixSocket s2 = connect(other);
        peer.startPoll();
        s.shutdown();
        ChannelPeer.Message m = peer.next(10_000);
        assertEquals(0, m.data().length);
        assertEquals(RESP_ERR_OUT_OF_MEMORY, peer.send(HELLO), "a dead channel takes nothing");

        other.startPoll();
        assertEquals(RESP_OK_NODATA, guest.command(CMD_CTX_DESTROY, OTHER, ByteBuffer.allocate(0)));
        assertEquals(RESP_OK_NODATA, guest.await(other.pendingPoll, 10_000), "the destroyed context's poll completes");
        assertTrue(s2.awaitReadable(10_000));
        assertEquals(0, s2.recv(ByteBuffer.allocate(16), new int[UnixSocket.MAX_FDS]), "its connection ended");
    }

    @Test
    void aContextHoldsABoundedNumberOfTheCompositorsFds() throws Exception {
        UnixSocket s = connect(peer);
        int sent = 0;
        boolean hungUp = false;
        while (!hungUp && sent < 200) {
            int[] fds = new int[8];
            for (int i = 0; i < fds.length; i++) {
                fds[i] = FakeCompositor.memfd("m", HELLO, 0);
            }
            s.send(ByteBuffer.wrap(HELLO), fds);
            for (int f : fds) {
                LinuxNative.closeQuietly(f);
            }
            sent += fds.length;
            ChannelPeer.Message m = peer.next(10_000);
            hungUp = m.data().length == 0;
        }
        assertTrue(hungUp && sent > 128 && sent <= 136, "the channel ended once the context held 128: after " + sent);
    }

    static final int SEND_RECEIVE_SIZE = 352;
}
