package org.vgpu.vhostuser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * Plays QEMU's end of the vhost-user-gpu display socket: answers the requests that need a reply
 * (protocol features, display info, EDID, dmabuf update) and counts scanouts and pixel updates.
 */
public final class DisplayPeer implements Runnable, AutoCloseable {
    static final int GET_PROTOCOL_FEATURES = 1, GET_DISPLAY_INFO = 3, CURSOR_POS = 4, CURSOR_POS_HIDE = 5, CURSOR_UPDATE = 6,
            SCANOUT = 7, UPDATE = 8,
            DMABUF_SCANOUT = 9, DMABUF_UPDATE = 10, GET_EDID = 11, DMABUF_SCANOUT2 = 12;
    static final long PROTOCOL_EDID = 1, PROTOCOL_DMABUF2 = 2;
    static final int REPLY = 0x4;

    private final UnixSocket socket;
    private final int width;
    private final int height;
    private final ByteBuffer header = ByteBuffer.allocateDirect(12).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer payload = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final int[] fds = new int[UnixSocket.MAX_FDS];
    final AtomicLong updates = new AtomicLong();
    final AtomicLong scanouts = new AtomicLong();
    /** The last UPDATE: {scanout, x, y, w, h} then the pixels, copied. */
    volatile ByteBuffer lastUpdate;
    final AtomicLong dmabufScanouts = new AtomicLong();
    final AtomicLong dmabufUpdates = new AtomicLong();
    /** The last DMABUF_SCANOUT's 10 fields, and the dma-buf it passed (kept open, as QEMU keeps it). */
    volatile int[] dmabufScanout;
    private int dmabufFd = -1;
    /** The rect of the last DMABUF_UPDATE as XRGB8888 rows, read here through the passed buffer's mapping. */
    volatile ByteBuffer lastDmabufRect;
    /** Plays a display that never answers DMABUF_UPDATE. */
    volatile boolean ignoreDmabufUpdates;
    /** What the peer does with an UPDATE's pixels; counts every UPDATE either way. */
    public enum Updates {
        /** A fresh copy per UPDATE in {@link #lastUpdate}: tests that keep one frame while the next arrives. */
        COPY_EACH,
        /**
         * One kept surface the UPDATE is copied into (as QEMU's display copies into its surface):
         * for benchmarks, where allocating 8 MB per frame here would measure this peer, not the back end.
         */
        COPY_INTO_ONE,
        /**
         * Not copied: for benchmarks with many front ends in one JVM, where an 8 MB copy per frame
         * and device would make the front ends' garbage collection part of every latency measured.
         */
        DISCARD
    }

    private volatile Updates updatesMode = Updates.COPY_EACH;
    private final int[] headerFds = new int[UnixSocket.MAX_FDS];
    /** Cursor messages in arrival order: {request, scanout, x, y} and for CURSOR_UPDATE also {hot_x, hot_y, first pixel}. */
    private final java.util.List<int[]> cursorMessages = new java.util.ArrayList<>();
    private final Thread thread;
    /** What GET_PROTOCOL_FEATURES offers (QEMU 10 and 11.1 offer EDID and DMABUF2); set before the channel starts. */
    volatile long protocolFeatures;
    /** The EDID GET_EDID answers (null: an empty one); the scanouts asked for it. */
    volatile byte[] edid;
    final java.util.List<Integer> edidRequests = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The modifier of the last DMABUF_SCANOUT2 (-1: none came). */
    volatile long lastModifier = -1;

    DisplayPeer(UnixSocket socket, int width, int height) {
        this.socket = socket;
        this.width = width;
        this.height = height;
        this.thread = new Thread(this, "display-peer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Ends the peer's thread before its socket is closed: a thread left reading would, once a late
     * message (e.g. the device's reset) woke it, call recv on the fd number after close, which the
     * next test's socket may have reused, and take that test's messages.
     */
    @Override
    public void close() {
        socket.shutdown(); // its blocked recv returns end of stream
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try {
            while (readFully(header.clear())) {
                System.arraycopy(fds, 0, headerFds, 0, fds.length); // an fd arrives with a message's first bytes
                int request = header.getInt(0);
                int size = header.getInt(8);
                if (size < 0 || size > 64 << 20) {
                    return;
                }
                if (payload.capacity() < size) {
                    payload = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
                }
                payload.clear().limit(size);
                if (!readFully(payload)) {
                    return;
                }
                handle(request, size);
            }
        } catch (NativeException e) {
            // the back end closed its end
        }
    }

    private void handle(int request, int size) throws NativeException {
        switch (request) {
            case GET_PROTOCOL_FEATURES -> reply(request, ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, protocolFeatures));
            case GET_DISPLAY_INFO -> {
                ByteBuffer info = ByteBuffer.allocateDirect(24 + 16 * 24).order(ByteOrder.LITTLE_ENDIAN);
                info.putInt(0, 0x1101);
                info.putInt(24 + 8, width).putInt(24 + 12, height).putInt(24 + 16, 1);
                reply(request, info);
            }
            case GET_EDID -> {
                edidRequests.add(payload.getInt(0));
                ByteBuffer resp = ByteBuffer.allocateDirect(24 + 8 + 1024).order(ByteOrder.LITTLE_ENDIAN);
                resp.putInt(0, 0x1104);
                byte[] e = edid;
                if (e != null) {
                    resp.putInt(24, e.length).put(32, e);
                }
                reply(request, resp);
            }
            case DMABUF_SCANOUT, DMABUF_SCANOUT2 -> {
                int[] f = new int[10];
                for (int i = 0; i < 10; i++) {
                    f[i] = payload.getInt(i * 4);
                }
                if (request == DMABUF_SCANOUT2) {
                    lastModifier = payload.getLong(40);
                }
                LinuxNative.closeQuietly(dmabufFd);
                dmabufFd = headerFds[0];
                headerFds[0] = -1; // kept
                dmabufScanout = f;
                synchronized (this) {
                    dmabufScanouts.incrementAndGet();
                    notifyAll();
                }
            }
            case DMABUF_UPDATE -> {
                if (ignoreDmabufUpdates) {
                    break;
                }
                lastDmabufRect = readDmabufRect(payload.getInt(4), payload.getInt(8), payload.getInt(12), payload.getInt(16));
                dmabufUpdates.incrementAndGet();
                reply(request, ByteBuffer.allocateDirect(0));
            }
            case CURSOR_POS, CURSOR_POS_HIDE, CURSOR_UPDATE -> {
                int[] m = request == CURSOR_UPDATE
                        ? new int[] {request, payload.getInt(0), payload.getInt(4), payload.getInt(8), payload.getInt(12), payload.getInt(16), payload.getInt(20)}
                        : new int[] {request, payload.getInt(0), payload.getInt(4), payload.getInt(8)};
                synchronized (this) {
                    cursorMessages.add(m);
                    notifyAll();
                }
            }
            case SCANOUT -> scanouts.incrementAndGet();
            case UPDATE -> {
                Updates mode = updatesMode;
                if (mode != Updates.DISCARD) {
                    ByteBuffer kept = lastUpdate;
                    ByteBuffer copy = mode == Updates.COPY_INTO_ONE && kept != null && kept.capacity() >= size ? kept.clear()
                            : ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
                    copy.put(payload.duplicate().position(0).limit(size)).flip();
                    lastUpdate = copy;
                }
                synchronized (this) {
                    updates.incrementAndGet();
                    notifyAll();
                }
            }
            default -> { }
        }
        for (int fd : headerFds) {
            LinuxNative.closeQuietly(fd); // only DMABUF_SCANOUT passes one
        }
    }

    /** Maps the announced dma-buf and copies rect (x, y, w, h), relative to the scanout's origin in it. */
    private ByteBuffer readDmabufRect(int x, int y, int w, int h) {
        int[] f = dmabufScanout;
        int stride = f[7];
        long size = (long) stride * f[6];
        long addr = LinuxNative.mmap(0, size, LinuxNative.PROT_READ, LinuxNative.MAP_SHARED, dmabufFd, 0);
        if (addr == LinuxNative.MAP_FAILED) {
            return null;
        }
        try {
            ByteBuffer src = new com.sun.jna.Pointer(addr).getByteBuffer(0, size);
            ByteBuffer rect = ByteBuffer.allocate(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < h; r++) {
                rect.put(r * w * 4, src, (f[2] + y + r) * stride + (f[1] + x) * 4, w * 4);
            }
            return rect;
        } finally {
            LinuxNative.munmap(addr, size);
        }
    }

    /** Chooses what happens to the pixels of later UPDATEs. */
    public void updates(Updates mode) {
        updatesMode = java.util.Objects.requireNonNull(mode, "mode");
    }

    /** Waits until at least count cursor messages have arrived; returns them all (fewer at the timeout). */
    public synchronized java.util.List<int[]> awaitCursorMessages(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (cursorMessages.size() < count && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return java.util.List.copyOf(cursorMessages);
    }

    /** Waits until more than `seen` updates arrived; returns the new count. */
    public synchronized long awaitUpdateAfter(long seen, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (updates.get() <= seen) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new IllegalStateException("no display UPDATE within " + timeoutMillis + " ms");
            }
            wait(left);
        }
        return updates.get();
    }

    /**
     * Waits until at least `count` DMABUF_SCANOUTs arrived: this thread reads them while the
     * sender goes on, so a sender that did not wait for a reply may return before they are counted.
     */
    public synchronized long awaitDmabufScanouts(long count, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (dmabufScanouts.get() < count) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return dmabufScanouts.get();
    }

    private void reply(int request, ByteBuffer body) throws NativeException {
        ByteBuffer m = ByteBuffer.allocateDirect(12 + body.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(request).putInt(REPLY).putInt(body.capacity());
        m.put(body.clear());
        m.flip();
        while (m.hasRemaining()) {
            socket.send(m);
        }
    }

    private boolean readFully(ByteBuffer b) throws NativeException {
        while (b.hasRemaining()) {
            if (socket.recv(b, fds) == 0) {
                return false;
            }
        }
        return true;
    }
}
