package org.vgpu.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.vhostuser.VhostUserProtocol.*;

import org.vgpu.virtio.testing.EchoDevice;
import java.lang.annotation.Annotation;
import java.nio.ByteBuffer;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * The vhost-user back end against a Java front end: QEMU's request order, then every kind of
 * garbage. Garbage closes only that connection; the socket then serves the next front end.
 */
@Timeout(30)
class VhostUserProtocolTest {
    static final long GPA = 0x100000;
    static final long SIZE = 1 << 20;
    static final long USER = 0x7f12_0000_0000L;
    static final int QSIZE = 8;

    @TempDir
    Path dir;
    Path socketPath;
    EchoDevice device;
    DisplayChannels displays;
    VhostUserServer server;
    MemoryRegion guestRam;
    GuestMemoryMap frontEndView;

    static VhostUserServer.Config config(String path) {
        return config(path, 0);
    }

    static VhostUserServer.Config config(String path, int hostVisibleMib) {
        return new VhostUserServer.Config() {
            @Override public Class<? extends Annotation> annotationType() { return VhostUserServer.Config.class; }
            @Override public String socket_path() { return path; }
            @Override public int fd() { return -1; }
            @Override public String device_target() { return ""; }
            @Override public int host_visible_mib() { return hostVisibleMib; }
            @Override public int queue_poll_us() { return 50; }
        };
    }

    @BeforeEach
    void start() throws Exception {
        socketPath = dir.resolve("sub/vgpu.sock");
        device = new EchoDevice();
        displays = new DisplayChannels();
        server = new VhostUserServer(device, config(socketPath.toString()), displays);
        guestRam = MemoryRegion.anonymous(GPA, SIZE);
        frontEndView = new GuestMemoryMap();
        frontEndView.addRegion(guestRam);
    }

    @AfterEach
    void stop() {
        server.deactivate();
        frontEndView.close();
    }

    static long desc(int q) { return GPA + q * 0x4000L; }
    static long avail(int q) { return desc(q) + 0x1000; }
    static long used(int q) { return desc(q) + 0x2000; }
    static long user(long gpa) { return gpa - GPA + USER; }

    /** Negotiation as QEMU 10 does it, up to (excluding) the vrings. */
    void handshake(TestFrontEnd fe) throws Exception {
        fe.send(GET_FEATURES, 0, null);
        long features = fe.replyU64(GET_FEATURES);
        assertEquals(EchoDevice.FEATURES | F_PROTOCOL_FEATURES, features);
        fe.send(GET_PROTOCOL_FEATURES, 0, null);
        long pf = fe.replyU64(GET_PROTOCOL_FEATURES);
        for (int bit : new int[] { PF_MQ, PF_REPLY_ACK, PF_CONFIG, PF_BACKEND_REQ, PF_BACKEND_SEND_FD, PF_CONFIGURE_MEM_SLOTS, PF_RESET_DEVICE, PF_STATUS }) {
            assertTrue((pf & 1L << bit) != 0, "protocol feature " + bit);
        }
        fe.sendU64(SET_PROTOCOL_FEATURES, 0, pf);
        fe.send(GET_QUEUE_NUM, 0, null);
        assertEquals(2, fe.replyU64(GET_QUEUE_NUM));
        fe.send(GET_MAX_MEM_SLOTS, 0, null);
        assertTrue(fe.replyU64(GET_MAX_MEM_SLOTS) >= 8);
        fe.send(SET_OWNER, 0, null);
        fe.send(GET_FEATURES, 0, null);
        fe.replyU64(GET_FEATURES);
        fe.sendU64(SET_FEATURES, FLAG_NEED_REPLY, features);
        assertEquals(0, fe.replyU64(SET_FEATURES), "REPLY_ACK for SET_FEATURES");
        ByteBuffer reg = TestFrontEnd.payload(40);
        reg.putLong(0).putLong(GPA).putLong(SIZE).putLong(USER).putLong(0).flip();
        fe.send(ADD_MEM_REG, FLAG_NEED_REPLY, reg, guestRam.fd());
        assertEquals(0, fe.replyU64(ADD_MEM_REG));
    }

    void setupVring(TestFrontEnd fe, int q, EventFd kick, EventFd call) throws Exception {
        fe.sendState(SET_VRING_NUM, 0, q, QSIZE);
        fe.sendState(SET_VRING_BASE, 0, q, 0);
        ByteBuffer addr = TestFrontEnd.payload(40);
        addr.putInt(q).putInt(0).putLong(user(desc(q))).putLong(user(used(q))).putLong(user(avail(q))).putLong(0).flip();
        fe.send(SET_VRING_ADDR, 0, addr);
        fe.sendU64(SET_VRING_CALL, 0, q, call.fd());
        fe.sendU64(SET_VRING_KICK, 0, q, kick.fd());
        fe.sendState(SET_VRING_ENABLE, FLAG_NEED_REPLY, q, 1);
        assertEquals(0, fe.replyU64(SET_VRING_ENABLE));
    }

    @Test
    void qemuOrderSetupThenARequestRoundTripsThroughTheRing() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socketPath)), "socket mode 0600");
        try (TestFrontEnd fe = new TestFrontEnd(socketPath);
                EventFd kick0 = EventFd.create(true); EventFd call0 = EventFd.create(true);
                EventFd kick1 = EventFd.create(true); EventFd call1 = EventFd.create(true)) {
            handshake(fe);
            ByteBuffer cfg = TestFrontEnd.payload(12 + 8);
            cfg.putInt(4).putInt(8).putInt(0).putLong(0).flip();
            fe.send(GET_CONFIG, 0, cfg);
            ByteBuffer reply = fe.reply(GET_CONFIG);
            assertEquals(20, reply.remaining());
            assertEquals((byte) 0xa4, reply.get(12), "config byte 4");
            setupVring(fe, 0, kick0, call0);
            setupVring(fe, 1, kick1, call1);
            awaitActive();

            long data = GPA + 0x10000;
            frontEndView.writeInt(data, 0x04030201);
            writeDesc(0, 0, data, 4, 1, 1);
            writeDesc(0, 1, data + 0x100, 4, 2, 0);
            frontEndView.writeShort(avail(0) + 4, (short) 0); // ring[0] = head 0
            frontEndView.writeShort(avail(0) + 2, (short) 1); // idx = 1
            kick0.signal();
            awaitSignal(call0);
            assertEquals(1, frontEndView.readShort(used(0) + 2), "used idx");
            assertEquals(0, frontEndView.readInt(used(0) + 4), "used id");
            assertEquals(4, frontEndView.readInt(used(0) + 8), "used len");
            assertEquals(0x05040302, frontEndView.readInt(data + 0x100), "echoed bytes");

            fe.sendState(GET_VRING_BASE, 0, 0, 0);
            ByteBuffer base = fe.reply(GET_VRING_BASE);
            assertEquals(0, base.getInt(0));
            assertEquals(1, base.getInt(4), "next avail index handed back");
        }
        awaitState("listening");
        assertTrue(device.resets.get() > 0, "device reset after disconnect");
    }

    private void writeDesc(int q, int i, long addr, int len, int flags, int next) throws Exception {
        long d = desc(q) + 16L * i;
        frontEndView.writeLong(d, addr);
        frontEndView.writeInt(d + 8, len);
        frontEndView.writeShort(d + 12, (short) flags);
        frontEndView.writeShort(d + 14, (short) next);
    }

    private void awaitActive() throws InterruptedException {
        awaitState("active");
        assertNotNull(device.activation());
    }

    private void awaitState(String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!state.equals(server.bindings().get(0).state()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(state, server.bindings().get(0).state());
    }

    private static void awaitSignal(EventFd call) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (call.consume() == 0) {
            assertTrue(System.nanoTime() < deadline, "no interrupt from the device");
            Thread.sleep(1);
        }
    }

    /** After garbage the back end must have closed this connection, and must serve the next one. */
    private void assertClosedAndNextServed(TestFrontEnd fe) throws Exception {
        assertTrue(fe.closedByPeer(), "connection not closed after garbage");
        awaitState("listening");
        try (TestFrontEnd next = new TestFrontEnd(socketPath)) {
            next.send(GET_FEATURES, 0, null);
            assertEquals(EchoDevice.FEATURES | F_PROTOCOL_FEATURES, next.replyU64(GET_FEATURES));
        }
    }

    @Test
    void unknownRequestClosesTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            fe.send(99, 0, null);
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void payloadOfTheWrongSizeClosesTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            ByteBuffer four = TestFrontEnd.payload(4);
            four.putInt(1).flip();
            fe.send(SET_FEATURES, 0, four);
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void truncatedMessageThenHangUpIsSurvived() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            ByteBuffer four = TestFrontEnd.payload(4);
            four.putInt(1).flip();
            fe.sendRaw(SET_FEATURES, FLAG_VERSION_1, 8, four); // declares 8, sends 4
            fe.socket.shutdown();
        }
        awaitState("listening");
        try (TestFrontEnd next = new TestFrontEnd(socketPath)) {
            next.send(GET_QUEUE_NUM, 0, null);
            assertEquals(2, next.replyU64(GET_QUEUE_NUM));
        }
    }

    @Test
    void oversizedPayloadClosesTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            fe.sendRaw(SET_FEATURES, FLAG_VERSION_1, 1 << 20, null);
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void badVersionClosesTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            fe.sendRaw(GET_FEATURES, 2, 0, null);
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void memoryRegionWithoutAnFdClosesTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            ByteBuffer reg = TestFrontEnd.payload(40);
            reg.putLong(0).putLong(GPA).putLong(SIZE).putLong(USER).putLong(0).flip();
            fe.send(ADD_MEM_REG, 0, reg);
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void kickWithTwoFdsClosesTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath); EventFd a = EventFd.create(true); EventFd b = EventFd.create(true)) {
            fe.sendU64(SET_VRING_KICK, 0, 0, a.fd(), b.fd());
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void fdsWithARequestThatTakesNoneCloseTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath); EventFd a = EventFd.create(true)) {
            fe.send(SET_OWNER, 0, null, a.fd());
            // SET_OWNER tolerates no fds? It must not leak them: the fd is closed either way.
            fe.send(GET_QUEUE_NUM, 0, null);
            assertEquals(2, fe.replyU64(GET_QUEUE_NUM));
        }
    }

    @Test
    void ringAddressesOutsideMemoryCloseTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            handshake(fe);
            fe.sendState(SET_VRING_NUM, 0, 0, QSIZE);
            ByteBuffer addr = TestFrontEnd.payload(40);
            addr.putInt(0).putInt(0).putLong(USER + SIZE - 8).putLong(user(used(0))).putLong(user(avail(0))).putLong(0).flip();
            fe.send(SET_VRING_ADDR, 0, addr);
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void ringSizeNotAPowerOfTwoClosesTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            fe.sendState(SET_VRING_NUM, 0, 0, 12);
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void ringSizeAboveTheMaximumClosesTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            fe.sendState(SET_VRING_NUM, 0, 0, 65536);
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void largeRingsAsQemuUsesOnMicrovmAreAccepted() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            fe.send(GET_PROTOCOL_FEATURES, 0, null);
            fe.sendU64(SET_PROTOCOL_FEATURES, 0, fe.replyU64(GET_PROTOCOL_FEATURES));
            fe.sendState(SET_VRING_NUM, FLAG_NEED_REPLY, 0, 1024);
            assertEquals(0, fe.replyU64(SET_VRING_NUM));
            fe.sendState(SET_VRING_NUM, FLAG_NEED_REPLY, 1, 32768);
            assertEquals(0, fe.replyU64(SET_VRING_NUM));
        }
    }

    @Test
    void queueIndexOutOfRangeClosesTheConnection() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            fe.sendState(SET_VRING_BASE, 0, 7, 0);
            assertClosedAndNextServed(fe);
        }
    }

    @Test
    void memoryIsUnmappedWhenTheFrontEndDies() throws Exception {
        TestFrontEnd fe = new TestFrontEnd(socketPath);
        handshake(fe);
        long before = countMappingsOf(guestRam);
        assertTrue(before >= 2, "back end maps the region (" + before + ")");
        fe.close(); // like SIGKILL: no goodbye
        awaitState("listening");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (countMappingsOf(guestRam) != 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, countMappingsOf(guestRam), "only the front end's own mapping remains");
    }

    /** 20 front ends set the device up completely and vanish: open fds and heap stay flat. */
    @Test
    void twentyConnectKillCyclesLeaveFdsAndHeapFlat() throws Exception {
        cycle(); // warm up class loading and buffers
        long fdsBefore = openFds();
        long heapBefore = usedHeapAfterGc();
        for (int i = 0; i < 20; i++) {
            cycle();
        }
        awaitState("listening");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (openFds() > fdsBefore && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(fdsBefore, openFds(), "open fds after 20 cycles");
        long heapGrowth = usedHeapAfterGc() - heapBefore;
        assertTrue(heapGrowth < 4 << 20, "heap grew by " + heapGrowth + " bytes over 20 cycles");
    }

    private void cycle() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath);
                EventFd kick0 = EventFd.create(true); EventFd call0 = EventFd.create(true);
                EventFd kick1 = EventFd.create(true); EventFd call1 = EventFd.create(true)) {
            handshake(fe);
            setupVring(fe, 0, kick0, call0);
            setupVring(fe, 1, kick1, call1);
            awaitActive();
        } // closed without any goodbye, as a killed VMM
        awaitState("listening");
    }

    private static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void statusConfigResetAndRegionRemoval() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            handshake(fe);
            fe.sendU64(SET_STATUS, FLAG_NEED_REPLY, 0xf);
            assertEquals(0, fe.replyU64(SET_STATUS));
            fe.send(GET_STATUS, 0, null);
            assertEquals(0xf, fe.replyU64(GET_STATUS));

            ByteBuffer set = TestFrontEnd.payload(12 + 2);
            set.putInt(2).putInt(2).putInt(0).put((byte) 0x11).put((byte) 0x22).flip();
            fe.send(SET_CONFIG, FLAG_NEED_REPLY, set);
            assertEquals(0, fe.replyU64(SET_CONFIG));
            ByteBuffer get = TestFrontEnd.payload(12 + 4);
            get.putInt(1).putInt(4).putInt(0).putInt(0).flip();
            fe.send(GET_CONFIG, 0, get);
            ByteBuffer cfg = fe.reply(GET_CONFIG);
            assertEquals(0xa1, cfg.get(12) & 0xff);
            assertEquals(0x11, cfg.get(13) & 0xff, "written by SET_CONFIG");
            assertEquals(0x22, cfg.get(14) & 0xff, "written by SET_CONFIG");

            int resets = device.resets.get();
            fe.send(RESET_DEVICE, FLAG_NEED_REPLY, null);
            assertEquals(0, fe.replyU64(RESET_DEVICE));
            assertTrue(device.resets.get() > resets, "device reset");
            fe.send(GET_STATUS, 0, null);
            assertEquals(0, fe.replyU64(GET_STATUS), "status cleared by RESET_DEVICE");

            long mapped = countMappingsOf(guestRam);
            ByteBuffer rem = TestFrontEnd.payload(40);
            rem.putLong(0).putLong(GPA).putLong(SIZE).putLong(USER).putLong(0).flip();
            fe.send(REM_MEM_REG, FLAG_NEED_REPLY, rem);
            assertEquals(0, fe.replyU64(REM_MEM_REG), "known region removed");
            assertEquals(mapped - 1, countMappingsOf(guestRam), "its mapping is gone");
        }
    }

    /**
     * SHMEM (QEMU 11.1): offered only with a host-visible region configured; GET_SHMEM_CONFIG gives
     * region 1's size; once active the device's region 1 sends SHMEM_MAP with the fd on the back-end
     * channel and waits for the REPLY_ACK.
     */
    @Test
    void sharedMemoryRegionMapsThroughBackendRequests() throws Exception {
        try (TestFrontEnd plain = new TestFrontEnd(socketPath)) {
            plain.send(GET_PROTOCOL_FEATURES, 0, null);
            assertEquals(0, plain.replyU64(GET_PROTOCOL_FEATURES) & 1L << PF_SHMEM, "not offered without a region");
            plain.send(GET_SHMEM_CONFIG, 0, null);
            assertTrue(plain.closedByPeer(), "GET_SHMEM_CONFIG without the feature is a protocol violation");
        }
        server.deactivate();
        server = new VhostUserServer(device, config(socketPath.toString(), 64), displays);
        org.vgpu.virtio.sys.UnixSocket[] backend = org.vgpu.virtio.sys.UnixSocket.pair();
        try (TestFrontEnd fe = new TestFrontEnd(socketPath); EventFd kick0 = EventFd.create(true); EventFd call0 = EventFd.create(true);
                EventFd kick1 = EventFd.create(true); EventFd call1 = EventFd.create(true); var qemuSide = backend[1]) {
            fe.send(GET_PROTOCOL_FEATURES, 0, null);
            assertTrue((fe.replyU64(GET_PROTOCOL_FEATURES) & 1L << PF_SHMEM) != 0);
            handshake(fe);
            fe.send(GET_SHMEM_CONFIG, 0, null);
            ByteBuffer cfg = fe.reply(GET_SHMEM_CONFIG);
            assertEquals(VhostUserProtocol.SHMEM_CONFIG_SIZE, cfg.remaining());
            assertEquals(2, cfg.getInt(0), "regions 0 and 1");
            assertEquals(0, cfg.getLong(8));
            assertEquals(64L << 20, cfg.getLong(16), "region 1 = HOST_VISIBLE");
            fe.send(SET_BACKEND_REQ_FD, 0, null, backend[0].fd());
            backend[0].close(); // the back end has its own copy now
            setupVring(fe, 0, kick0, call0);
            setupVring(fe, 1, kick1, call1);
            awaitActive();
            org.vgpu.virtio.api.SharedMemoryWindow window = device.activation().sharedMemory(1);
            assertNotNull(window, "region 1 reaches the device");
            assertEquals(64L << 20, window.size());
            assertNull(device.activation().sharedMemory(0));

            int memfd = LinuxNative.memfd_create("blob", 0);
            LinuxNative.ftruncate(memfd, 8192);
            Thread qemu = new Thread(() -> answerShmemRequests(qemuSide, 2));
            qemu.start();
            window.map(0x10000, memfd, 0, 8192, true);
            window.unmap(0x10000, 8192);
            qemu.join(5000);
            assertEquals(List.of("SHMEM_MAP shmid=1 fd_offset=0 shm_offset=65536 len=8192 flags=1 fds=1",
                    "SHMEM_UNMAP shmid=1 fd_offset=0 shm_offset=65536 len=8192 flags=0 fds=0"), shmemSeen);
            assertThrows(org.vgpu.virtio.api.SharedMemoryWindow.MappingException.class, () -> window.map(0x1001, memfd, 0, 4096, true),
                    "unaligned: refused before anything is sent");
            assertThrows(org.vgpu.virtio.api.SharedMemoryWindow.MappingException.class, () -> window.map((64L << 20) - 4096, memfd, 0, 8192, true),
                    "past the region");
            assertThrows(org.vgpu.virtio.api.SharedMemoryWindow.MappingException.class, () -> window.unmap(0, 4096), "nothing mapped there");
            long t0 = System.nanoTime();
            assertThrows(org.vgpu.virtio.api.SharedMemoryWindow.MappingException.class, () -> window.map(0, memfd, 0, 4096, true),
                    "a front end that never answers");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < ShmemWindow.REPLY_TIMEOUT_MS + 1000, "bounded wait");
            LinuxNative.close(memfd);
        }
    }

    /**
     * QEMU serves back-end requests from the main loop that waits for vgpu's replies. A map waiting
     * for its ack while the front end's request needs the device (here GET_VRING_BASE, whose reset
     * unmaps, as the GPU's reset does) stops waiting; the unmap made while handling the request asks
     * for no reply; the front end's reply is prompt; and the map's late ack is discarded before the
     * next request's. Without this, each wait ran into the 2 s timeout and the map failed.
     */
    @Test
    void backEndRequestsNeverWaitWhileTheFrontEndWaitsOnUs() throws Exception {
        server.deactivate();
        UnmapAtReset unmapping = new UnmapAtReset(device);
        server = new VhostUserServer(unmapping, config(socketPath.toString(), 64), displays);
        org.vgpu.virtio.sys.UnixSocket[] backend = org.vgpu.virtio.sys.UnixSocket.pair();
        try (TestFrontEnd fe = new TestFrontEnd(socketPath); EventFd kick0 = EventFd.create(true); EventFd call0 = EventFd.create(true);
                EventFd kick1 = EventFd.create(true); EventFd call1 = EventFd.create(true); var qemuSide = backend[1]) {
            handshake(fe);
            fe.send(SET_BACKEND_REQ_FD, 0, null, backend[0].fd());
            backend[0].close();
            setupVring(fe, 0, kick0, call0);
            setupVring(fe, 1, kick1, call1);
            awaitActive();
            org.vgpu.virtio.api.SharedMemoryWindow window = device.activation().sharedMemory(1);
            int memfd = LinuxNative.memfd_create("blob", 0);
            LinuxNative.ftruncate(memfd, 8192);
            unmapping.window = window;

            var map = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    window.map(0x10000, memfd, 0, 8192, true); // nobody reads the back-end channel yet
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Thread.sleep(300);
            assertFalse(map.isDone(), "the map waits for its ack");
            long t0 = System.nanoTime();
            fe.sendState(GET_VRING_BASE, 0, 0, 0);
            fe.reply(GET_VRING_BASE);
            long replyMs = (System.nanoTime() - t0) / 1_000_000;
            map.get(BackendChannel.REPLY_TIMEOUT_MS * 3 / 4, java.util.concurrent.TimeUnit.MILLISECONDS); // done, not failed, well before the timeout
            assertTrue(replyMs < BackendChannel.REPLY_TIMEOUT_MS * 3 / 4, "GET_VRING_BASE answered in " + replyMs + " ms (the back end must not wait on the front end)");

            int[] seen = readShmemRequest(qemuSide);
            assertEquals(BACKEND_SHMEM_MAP, seen[0]);
            assertTrue((seen[1] & FLAG_NEED_REPLY) != 0, "the map asked for an ack before the front end was busy");
            seen = readShmemRequest(qemuSide);
            assertEquals(BACKEND_SHMEM_UNMAP, seen[0], "the device's reset unmapped");
            assertEquals(0, seen[1] & FLAG_NEED_REPLY, "no ack asked while the front end waits for GET_VRING_BASE");
            ackShmem(qemuSide, BACKEND_SHMEM_MAP, 0); // the late ack of the map

            var next = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    window.map(0x20000, memfd, 0, 4096, true);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            seen = readShmemRequest(qemuSide);
            assertEquals(BACKEND_SHMEM_MAP, seen[0]);
            assertTrue((seen[1] & FLAG_NEED_REPLY) != 0);
            ackShmem(qemuSide, BACKEND_SHMEM_MAP, 0);
            next.get(3, java.util.concurrent.TimeUnit.SECONDS); // the stale ack was not taken for this one
            var refused = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    window.map(0x30000, memfd, 0, 4096, true);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            readShmemRequest(qemuSide);
            ackShmem(qemuSide, BACKEND_SHMEM_MAP, 1); // QEMU refuses (e.g. no memory slot left)
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> refused.get(3, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("refused"), e.getCause().getMessage());
            LinuxNative.close(memfd);
        }
    }

    /** Reads one SHMEM request from the back-end channel: {request, flags}; closes any fd passed. */
    static int[] readShmemRequest(org.vgpu.virtio.sys.UnixSocket qemu) throws Exception {
        ByteBuffer m = ByteBuffer.allocateDirect(HEADER_SIZE + SHMEM_MSG_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int[] fds = new int[org.vgpu.virtio.sys.UnixSocket.MAX_FDS];
        while (m.hasRemaining()) {
            assertTrue(qemu.awaitReadable(3000), "a back-end request");
            qemu.recv(m, fds);
            for (int fd : fds) {
                LinuxNative.closeQuietly(fd);
            }
        }
        return new int[] {m.getInt(0), m.getInt(4)};
    }

    static void ackShmem(org.vgpu.virtio.sys.UnixSocket qemu, int request, long value) throws Exception {
        ByteBuffer ack = ByteBuffer.allocateDirect(HEADER_SIZE + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        ack.putInt(request).putInt(FLAG_VERSION_1 | FLAG_REPLY).putInt(8).putLong(value).flip();
        qemu.send(ack);
    }

    /** The echo device, whose reset also unmaps 0x10000+8192 from a window, as the GPU's reset unmaps its blobs. */
    static final class UnmapAtReset implements org.vgpu.virtio.api.VirtioDevice {
        final EchoDevice echo;
        volatile org.vgpu.virtio.api.SharedMemoryWindow window;

        UnmapAtReset(EchoDevice echo) {
            this.echo = echo;
        }

        @Override
        public void reset() {
            org.vgpu.virtio.api.SharedMemoryWindow w = window;
            window = null;
            if (w != null) {
                try {
                    w.unmap(0x10000, 8192);
                } catch (org.vgpu.virtio.api.SharedMemoryWindow.MappingException e) {
                    throw new IllegalStateException(e);
                }
            }
            echo.reset();
        }

        @Override public String name() { return echo.name(); }
        @Override public int deviceId() { return echo.deviceId(); }
        @Override public long offeredFeatures() { return echo.offeredFeatures(); }
        @Override public void ackFeatures(long features) { echo.ackFeatures(features); }
        @Override public long ackedFeatures() { return echo.ackedFeatures(); }
        @Override public int configSize() { return echo.configSize(); }
        @Override public void readConfig(int offset, ByteBuffer dst) { echo.readConfig(offset, dst); }
        @Override public void writeConfig(int offset, ByteBuffer src) { echo.writeConfig(offset, src); }
        @Override public int configGeneration() { return echo.configGeneration(); }
        @Override public int queueCount() { return echo.queueCount(); }
        @Override public int maxQueueSize(int queueIndex) { return echo.maxQueueSize(queueIndex); }
        @Override public void activate(org.vgpu.virtio.api.DeviceActivation activation) { echo.activate(activation); }
        @Override public void processQueue(int queueIndex) { echo.processQueue(queueIndex); }
        @Override public org.vgpu.virtio.api.DeviceActivation activation() { return echo.activation(); }
    }

    final List<String> shmemSeen = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Plays QEMU's back-end request handler: records `count` SHMEM messages and acks each with 0 (REPLY_ACK asked of each). */
    void answerShmemRequests(org.vgpu.virtio.sys.UnixSocket qemu, int count) {
        try {
            int[] fds = new int[org.vgpu.virtio.sys.UnixSocket.MAX_FDS];
            for (int i = 0; i < count; i++) {
                ByteBuffer m = ByteBuffer.allocateDirect(HEADER_SIZE + SHMEM_MSG_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int got = 0;
                int passed = 0;
                while (m.hasRemaining()) {
                    got += qemu.recv(m, fds);
                    passed += org.vgpu.virtio.sys.UnixSocket.countFds(fds);
                    for (int fd : fds) {
                        LinuxNative.closeQuietly(fd);
                    }
                }
                int request = m.getInt(0);
                shmemSeen.add((request == BACKEND_SHMEM_MAP ? "SHMEM_MAP" : "SHMEM_UNMAP") + " shmid=" + m.get(12) + " fd_offset=" + m.getLong(20)
                        + " shm_offset=" + m.getLong(28) + " len=" + m.getLong(36) + " flags=" + m.getLong(44) + " fds=" + passed);
                if ((m.getInt(4) & FLAG_NEED_REPLY) == 0) {
                    shmemSeen.add("no REPLY_ACK asked"); // QEMU would not answer; the request did not wait
                    continue;
                }
                ByteBuffer ack = ByteBuffer.allocateDirect(HEADER_SIZE + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                ack.putInt(request).putInt(FLAG_VERSION_1 | FLAG_REPLY).putInt(8).putLong(0).flip();
                qemu.send(ack);
            }
        } catch (Exception e) {
            shmemSeen.add("peer failed: " + e);
        }
    }

    /** --fd: libvirt hands the back end one end of an already connected socket pair. */
    @Test
    void anInheritedConnectedSocketIsServed() throws Exception {
        org.vgpu.virtio.sys.UnixSocket[] pair = org.vgpu.virtio.sys.UnixSocket.pair();
        VhostUserServer.Config fdConfig = new VhostUserServer.Config() {
            @Override public Class<? extends Annotation> annotationType() { return VhostUserServer.Config.class; }
            @Override public String socket_path() { return ""; }
            @Override public int fd() { return pair[0].fd(); }
            @Override public String device_target() { return ""; }
            @Override public int host_visible_mib() { return 0; }
            @Override public int queue_poll_us() { return 50; }
        };
        VhostUserServer inherited = new VhostUserServer(new EchoDevice(), fdConfig, displays);
        try (org.vgpu.virtio.sys.UnixSocket vmm = pair[1]) {
            assertEquals("fd:" + pair[0].fd(), inherited.endpoint());
            ByteBuffer header = TestFrontEnd.payload(12);
            header.putInt(GET_QUEUE_NUM).putInt(FLAG_VERSION_1).putInt(0).flip();
            vmm.send(header);
            ByteBuffer reply = TestFrontEnd.payload(20);
            int[] fds = new int[8];
            while (reply.hasRemaining()) {
                vmm.recv(reply, fds);
            }
            assertEquals(2, reply.getLong(12), "GET_QUEUE_NUM answered on the inherited socket");
        } finally {
            inherited.deactivate();
        }
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        server.deactivate();
        Files.writeString(socketPath, "stale");
        server = new VhostUserServer(device, config(socketPath.toString()), displays);
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            fe.send(GET_QUEUE_NUM, 0, null);
            assertEquals(2, fe.replyU64(GET_QUEUE_NUM));
        }
    }

    /** Mappings of the memfd in this process, from /proc/self/maps (the memfd name is unique per region). */
    private static long countMappingsOf(MemoryRegion region) throws Exception {
        String inode = Files.readSymbolicLink(Path.of("/proc/self/fd/" + region.fd())).toString();
        String name = inode.replace(" (deleted)", "");
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(name)).count();
    }

    @Test
    void replyAckReportsFailureWithoutClosing() throws Exception {
        try (TestFrontEnd fe = new TestFrontEnd(socketPath)) {
            fe.send(GET_PROTOCOL_FEATURES, 0, null);
            fe.sendU64(SET_PROTOCOL_FEATURES, 0, fe.replyU64(GET_PROTOCOL_FEATURES));
            ByteBuffer rem = TestFrontEnd.payload(40);
            rem.putLong(0).putLong(0x5000_0000L).putLong(SIZE).putLong(USER).putLong(0).flip();
            fe.send(REM_MEM_REG, FLAG_NEED_REPLY, rem);
            assertEquals(1, fe.replyU64(REM_MEM_REG), "removing an unknown region fails");
            fe.send(GET_QUEUE_NUM, 0, null);
            assertEquals(2, fe.replyU64(GET_QUEUE_NUM));
            assertNull(device.activation());
        }
    }
}
