package org.vgpu.vhostuser;

import static org.vgpu.vhostuser.VhostUserProtocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * A fake VMM plus guest driver for any vhost-user GPU back end (vgpu or QEMU's C back end):
 * shares a memfd as guest RAM, sets the vrings up as QEMU does, hands over a display socket,
 * then submits virtio-gpu commands on the control queue and waits for their completion.
 * Used by benchmarks and protocol-level device tests.
 */
public final class GpuDriver implements AutoCloseable {
    static final long RAM_SIZE = 64L << 20;
    static final long USER_BASE = 0x7f40_0000_0000L;
    static final int QSIZE = 256;
    static final long DESC = 0x1000, AVAIL = 0x3000, USED = 0x4000;
    static final long CURSOR_DESC = 0x6000, CURSOR_AVAIL = 0x8000, CURSOR_USED = 0x9000;
    static final long CURSOR_REQUESTS = 0xa000; // 256 slots of 64 bytes (a cursor command is 56)
    static final int CURSOR_SLOT = 64;
    static final long REQUESTS = 0x10000;   // 256 slots of 512 bytes
    static final long RESPONSES = 0x30000;  // 256 slots of 512 bytes
    static final int SLOT = 512;
    static final long LARGE_REQUEST = 0x80000;
    static final int LARGE_REQUEST_SIZE = 0x80000;
    /** Guest pages handed out for backings start here. */
    static final long PAGES = 0x100000;
    static final int PAGE = 4096;
    static final long VERSION_1 = 1L << 32;

    final TestFrontEnd vmm;
    final GuestMemoryMap ram = new GuestMemoryMap();
    final MemoryRegion region;
    private final DisplayPeer display;
    private final UnixSocket displayPeer;
    private final EventFd kick = EventFd.create(false);
    private final EventFd call = EventFd.create(false);
    private final EventFd cursorKick = EventFd.create(false);
    private final EventFd cursorCall = EventFd.create(false);
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(SLOT).order(ByteOrder.LITTLE_ENDIAN);
    private final long extraFeatures;
    private int availIdx;
    private int usedSeen;
    private int nextSlot;
    private int cursorAvailIdx;
    private int cursorUsedSeen;

    public GpuDriver(Path socket) throws Exception {
        this(socket, true);
    }

    /** drainDisplay false: nobody reads the display socket, as a VMM whose display is stuck. */
    public GpuDriver(Path socket, boolean drainDisplay) throws Exception {
        this(socket, drainDisplay, 0);
    }

    /** extraFeatures: device features the guest driver acks besides VERSION_1 (e.g. RESOURCE_BLOB). */
    public GpuDriver(Path socket, boolean drainDisplay, long extraFeatures) throws Exception {
        this(socket, drainDisplay, extraFeatures, 0, null);
    }

    /** As above, with a display end offering these vhost-user-gpu protocol features and answering GET_EDID with edid. */
    public GpuDriver(Path socket, boolean drainDisplay, long extraFeatures, long displayFeatures, byte[] displayEdid) throws Exception {
        this.extraFeatures = extraFeatures;
        vmm = new TestFrontEnd(socket);
        region = MemoryRegion.anonymous(0, RAM_SIZE);
        ram.addRegion(region);
        UnixSocket[] pair = UnixSocket.pair();
        displayPeer = pair[1];
        display = drainDisplay ? new DisplayPeer(displayPeer, 1920, 1080) : null;
        if (display != null) {
            display.protocolFeatures = displayFeatures;
            display.edid = displayEdid;
        }
        setUp(pair[0]);
    }

    private void setUp(UnixSocket displayEnd) throws Exception {
        vmm.send(GET_FEATURES, 0, null);
        long features = vmm.replyU64(GET_FEATURES);
        vmm.send(GET_PROTOCOL_FEATURES, 0, null);
        long pf = vmm.replyU64(GET_PROTOCOL_FEATURES);
        long wanted = pf & (1L << PF_MQ | 1L << PF_REPLY_ACK | 1L << PF_CONFIG);
        vmm.sendU64(SET_PROTOCOL_FEATURES, 0, wanted);
        vmm.send(SET_OWNER, 0, null);
        // The guest driver acks VERSION_1 only: no EVENT_IDX, so every completion interrupts, and
        // no EDID, which would oblige the display end to offer its EDID protocol feature.
        vmm.sendU64(SET_FEATURES, 0, features & (VERSION_1 | F_PROTOCOL_FEATURES | extraFeatures));
        vmm.send(GPU_SET_SOCKET, 0, null, displayEnd.fd());
        displayEnd.close();
        ByteBuffer table = TestFrontEnd.payload(8 + 32);
        table.putInt(1).putInt(0).putLong(0).putLong(RAM_SIZE).putLong(USER_BASE).putLong(0).flip();
        vmm.send(SET_MEM_TABLE, 0, table, region.fd());
        vring(0, DESC, AVAIL, USED, kick, call);
        vring(1, CURSOR_DESC, CURSOR_AVAIL, CURSOR_USED, cursorKick, cursorCall);
        // Descriptor pairs: 2i = request (readable) -> 2i+1 = response (writable), fixed for the run.
        for (int i = 0; i < QSIZE / 2; i++) {
            desc(2 * i, REQUESTS + (long) i * SLOT, SLOT, 1, 2 * i + 1);
            desc(2 * i + 1, RESPONSES + (long) i * SLOT, SLOT, 2, 0);
        }
    }

    private void vring(int q, long desc, long avail, long used, EventFd k, EventFd c) throws Exception {
        vmm.sendState(SET_VRING_NUM, 0, q, QSIZE);
        vmm.sendState(SET_VRING_BASE, 0, q, 0);
        ByteBuffer addr = TestFrontEnd.payload(40);
        addr.putInt(q).putInt(0).putLong(USER_BASE + desc).putLong(USER_BASE + used).putLong(USER_BASE + avail).putLong(0).flip();
        vmm.send(SET_VRING_ADDR, 0, addr);
        vmm.sendU64(SET_VRING_CALL, 0, q, c.fd());
        vmm.sendU64(SET_VRING_KICK, 0, q, k.fd());
        vmm.sendState(SET_VRING_ENABLE, 0, q, 1);
    }

    private void desc(int i, long addr, int len, int flags, int next) throws GuestMemoryException {
        desc(DESC, i, addr, len, flags, next);
    }

    private void desc(long table, int i, long addr, int len, int flags, int next) throws GuestMemoryException {
        long d = table + 16L * i;
        ram.writeLong(d, addr);
        ram.writeInt(d + 8, len);
        ram.writeShort(d + 12, (short) flags);
        ram.writeShort(d + 14, (short) next);
    }

    /** Starts a request in the next slot: returns a buffer positioned after the 24-byte header. */
    public ByteBuffer begin(int type, int flags, long fenceId) {
        scratch.clear();
        scratch.putInt(type).putInt(flags).putLong(fenceId).putInt(0).putInt(0);
        return scratch;
    }

    /** Queues the request built in the scratch buffer (not kicked yet); returns its slot. */
    public int queue() throws GuestMemoryException {
        return queue(scratch, scratch.position());
    }

    /** Queues request[0, len); requests larger than a slot go to a separate area (e.g. ATTACH_BACKING). */
    public int queue(ByteBuffer request, int len) throws GuestMemoryException {
        int slot = nextSlot;
        nextSlot = (nextSlot + 1) % (QSIZE / 2);
        long at = len <= SLOT ? REQUESTS + (long) slot * SLOT : LARGE_REQUEST;
        if (len > LARGE_REQUEST_SIZE) {
            throw new IllegalArgumentException("request of " + len + " bytes");
        }
        ram.write(at, request, 0, len);
        ram.writeLong(DESC + 16L * (2 * slot), at);
        ram.writeInt(DESC + 16L * (2 * slot) + 8, len);
        ram.writeShort(AVAIL + 4 + 2L * (availIdx % QSIZE), (short) (2 * slot));
        availIdx++;
        ram.writeShort(AVAIL + 2, (short) availIdx);
        return slot;
    }

    /**
     * A w x h B8G8R8X8 resource backed by every other guest page from PAGES (scattered backing,
     * as a guest's page allocator hands them out), created, attached and optionally shown on scanout 0.
     */
    public void createScatteredResource(int id, int w, int h, boolean scanout) throws Exception {
        createScatteredResource(id, w, h, scanout, 1);
    }

    /** Guest address of backing page i: runs of runPages contiguous pages, one free page between runs. */
    long pageAddress(long i) {
        long run = i / runPages;
        return PAGES + (run * (runPages + 1) + i % runPages) * PAGE;
    }

    private int runPages = 1;

    /** As above, with the backing in runs of runPages contiguous pages (1 = every other page). */
    public void createScatteredResource(int id, int w, int h, boolean scanout, int runPages) throws Exception {
        this.runPages = runPages;
        ByteBuffer b = begin(0x101, 0, 0);
        b.putInt(id).putInt(2).putInt(w).putInt(h);
        check(execute(), "RESOURCE_CREATE_2D");
        long bytes = (long) w * h * 4;
        int pages = (int) ((bytes + PAGE - 1) / PAGE);
        ByteBuffer attach = ByteBuffer.allocateDirect(32 + 16 * pages).order(ByteOrder.LITTLE_ENDIAN);
        attach.putInt(0x106).putInt(0).putLong(0).putInt(0).putInt(0).putInt(id).putInt(pages);
        for (int i = 0; i < pages; i++) {
            attach.putLong(pageAddress(i)).putInt(PAGE).putInt(0);
        }
        int slot = queue(attach, attach.position());
        kick();
        awaitAll();
        check(responseType(slot), "RESOURCE_ATTACH_BACKING");
        if (scanout) {
            b = begin(0x103, 0, 0);
            b.putInt(0).putInt(0).putInt(w).putInt(h).putInt(0).putInt(id);
            check(execute(), "SET_SCANOUT");
        }
    }

    /** Queues TRANSFER_TO_HOST_2D + RESOURCE_FLUSH of the whole w x h resource and kicks (no wait). */
    public void submitFrame(int id, int w, int h) throws Exception {
        ByteBuffer b = begin(0x105, 0, 0);
        b.putInt(0).putInt(0).putInt(w).putInt(h).putLong(0).putInt(id).putInt(0);
        queue();
        b = begin(0x104, 0, 0);
        b.putInt(0).putInt(0).putInt(w).putInt(h).putInt(id).putInt(0);
        queue();
        kick();
    }

    /** Fills the scattered backing of a w x h resource with a pattern derived from (x, y). */
    public void fillScattered(int w, int h, int seed) throws GuestMemoryException {
        ByteBuffer row = ByteBuffer.allocateDirect(w * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                row.putInt(x * 4, (x * 7 + y * 13 + seed) & 0xffffff);
            }
            long offset = (long) y * w * 4;
            int done = 0;
            while (done < w * 4) {
                long o = offset + done;
                long page = o / PAGE;
                int inPage = (int) (o % PAGE);
                int n = Math.min(PAGE - inPage, w * 4 - done);
                ram.write(pageAddress(page) + inPage, row, done, n);
                done += n;
            }
        }
    }

    static void check(int responseType, String what) {
        if (responseType != 0x1100) {
            throw new IllegalStateException(what + " answered 0x" + Integer.toHexString(responseType));
        }
    }

    /**
     * Sends one command on the cursor queue (one device-readable descriptor, no response, as
     * Linux does) and waits until the device has used it.
     */
    public void cursor(ByteBuffer request, int len) throws Exception {
        if (len > CURSOR_SLOT) {
            throw new IllegalArgumentException("cursor request of " + len + " bytes");
        }
        int slot = cursorAvailIdx % QSIZE;
        long at = CURSOR_REQUESTS + (long) slot * CURSOR_SLOT;
        ram.write(at, request, 0, len);
        desc(CURSOR_DESC, slot, at, len, 0, 0);
        ram.writeShort(CURSOR_AVAIL + 4 + 2L * slot, (short) slot);
        cursorAvailIdx++;
        ram.writeShort(CURSOR_AVAIL + 2, (short) cursorAvailIdx);
        cursorKick.signal();
        while ((cursorUsedSeen & 0xffff) != (cursorAvailIdx & 0xffff)) {
            cursorCall.consume();
            cursorUsedSeen = ram.readShort(CURSOR_USED + 2) & 0xffff;
        }
    }

    public DisplayPeer display() {
        return display;
    }

    public void kick() throws NativeException {
        kick.signal();
    }

    /** Blocks until every queued request is completed (interrupt-driven). */
    public void awaitAll() throws Exception {
        while ((usedSeen & 0xffff) != (availIdx & 0xffff)) {
            call.consume(); // blocking eventfd read
            usedSeen = ram.readShort(USED + 2) & 0xffff;
        }
    }

    public int responseType(int slot) throws GuestMemoryException {
        return ram.readInt(RESPONSES + (long) slot * SLOT);
    }

    public ByteBuffer response(int slot, int length) throws GuestMemoryException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        ram.read(RESPONSES + (long) slot * SLOT, b, 0, length);
        return b;
    }

    /** Runs one command to completion and returns its response type. */
    public int execute() throws Exception {
        int slot = queue();
        kick();
        awaitAll();
        return responseType(slot);
    }

    @Override
    public void close() {
        if (display != null) {
            display.close(); // its thread ends before the socket's fd number is freed
        }
        vmm.close();
        displayPeer.close();
        kick.close();
        call.close();
        cursorKick.close();
        cursorCall.close();
        ram.close();
    }
}
