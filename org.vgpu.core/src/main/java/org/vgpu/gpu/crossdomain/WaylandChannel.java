package org.vgpu.gpu.crossdomain;

import static org.vgpu.gpu.crossdomain.CrossDomainWire.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * One guest channel's connection to the host compositor. The queue worker only queues: SEND and
 * WRITE go to this channel's writer thread, and a channel-ring fence takes the next message for
 * the guest or waits for one. A reader thread per connection (and per read pipe) turns what the
 * compositor sends into RECEIVE / READ messages; it writes one into the guest's ring only when a
 * fence says the guest has read the previous one, then signals that fence. Both directions are
 * bounded, so a stalled compositor stalls this channel only, and a dead one is reported to the
 * guest as rutabaga does: a RECEIVE with no bytes and no identifiers (a READ with hang_up for a pipe).
 */
final class WaylandChannel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WaylandChannel.class.getName());
    /** Bytes queued for the guest (not yet in its ring) before the reader stops reading the compositor. */
    static final int MAX_TO_GUEST_BYTES = 256 << 10;
    /** Bytes queued for the compositor before a SEND or WRITE is refused. */
    static final int MAX_TO_COMPOSITOR_BYTES = 1 << 20;
    /** Channel-ring fences waiting for a message; a guest polls with one at a time. */
    static final int MAX_PENDING_FENCES = 16;
    /** Read pipes (clipboard / drag-and-drop transfers into the guest) open at once. */
    static final int MAX_READ_PIPES = 8;
    /** How often a pipe reader looks whether its channel closed (pipes cannot be woken like sockets). */
    private static final int PIPE_POLL_MILLIS = 200;

    /** Where a message for the guest goes: the channel ring of the context, and its fence. */
    interface Ring {
        /** Writes length bytes of message at the ring's start; false if the ring is gone or too small. */
        boolean write(ByteBuffer message, int length);

        void signal(long fenceId);
    }

    private final Path path;
    private final UnixSocket socket;
    private final Identifiers identifiers;
    private final Ring ring;
    private final String name;
    private final Object lock = new Object();
    // guarded by lock
    private final ArrayDeque<ByteBuffer> toGuest = new ArrayDeque<>();
    private int toGuestBytes;
    private final long[] pendingFences = new long[MAX_PENDING_FENCES];
    private int pendingHead;
    private int pendingCount;
    private final ArrayDeque<Outbound> toCompositor = new ArrayDeque<>();
    private int toCompositorBytes;
    private int readPipes;
    private boolean hungUp;
    private boolean closed;
    private long bytesOut, fdsOut, bytesIn, fdsIn;
    private final Thread reader;
    private final Thread writer;

    /** A RECEIVE with nothing: how rutabaga tells the guest the compositor hung up. */
    private static final ByteBuffer HANG_UP = receiveHeader(0, 0); // never changed

    /** Something for the compositor: a message with fds (for the socket), or bytes for a pipe / eventfd. */
    private record Outbound(ByteBuffer data, int[] fds, int pipeFd) {
        int size() {
            return data.remaining();
        }

        void closeFds() {
            for (int f : fds) {
                LinuxNative.closeQuietly(f);
            }
            LinuxNative.closeQuietly(pipeFd);
        }
    }

    private WaylandChannel(Path path, UnixSocket socket, Identifiers identifiers, Ring ring, String name) {
        this.path = path;
        this.socket = socket;
        this.identifiers = identifiers;
        this.ring = ring;
        this.name = name;
        this.reader = new Thread(this::readCompositor, name + " reader");
        this.writer = new Thread(this::writeCompositor, name + " writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    /** Connects to the compositor at path (the device's setting, never a guest value) and starts the threads. */
    static WaylandChannel connect(Path path, Identifiers identifiers, Ring ring, String name) throws NativeException {
        WaylandChannel c = new WaylandChannel(path, UnixSocket.connect(path), identifiers, ring, name);
        c.reader.start();
        c.writer.start();
        return c;
    }

    Path path() {
        return path;
    }

    // ---- queue worker side: never blocks ----

    /**
     * SEND: data and the fds to pass (owned by the channel from here: closed once sent, or now if
     * refused). False if the channel is closed or its queue to the compositor is full.
     */
    boolean send(ByteBuffer data, int[] fds) {
        return enqueue(new Outbound(data, fds, -1));
    }

    /** WRITE to a pipe or eventfd: fd is a duplicate the channel owns (closed once written or refused). */
    boolean write(int fd, ByteBuffer data) {
        return enqueue(new Outbound(data, new int[0], fd));
    }

    private boolean enqueue(Outbound o) {
        synchronized (lock) {
            if (!closed && !hungUp && toCompositorBytes + (long) o.size() <= MAX_TO_COMPOSITOR_BYTES) {
                toCompositor.add(o);
                toCompositorBytes += o.size();
                lock.notifyAll();
                return true;
            }
        }
        o.closeFds();
        return false;
    }

    /**
     * A fence on the channel ring: if a message waits, it is written into the ring now and the
     * fence is done (true); else the fence waits for the next one (false). After a hang-up every
     * fence gets the empty RECEIVE at once.
     */
    boolean fence(long fenceId) {
        ByteBuffer message;
        synchronized (lock) {
            message = toGuest.poll();
            if (message != null) {
                toGuestBytes -= message.limit();
                lock.notifyAll(); // room for the reader
            } else if (hungUp || closed) {
                message = HANG_UP;
            } else if (pendingCount == MAX_PENDING_FENCES) {
                return true; // a guest polling without reading: its extra fences complete with the ring unchanged
            } else {
                pendingFences[(pendingHead + pendingCount++) % MAX_PENDING_FENCES] = fenceId;
                return false;
            }
        }
        ring.write(message, message.limit());
        return true;
    }

    /** Starts reading a pipe whose write end goes to the compositor; false (fd closed) if too many are open. */
    boolean addReadPipe(int identifier, int readFd) {
        synchronized (lock) {
            if (closed || readPipes >= MAX_READ_PIPES) {
                LinuxNative.closeQuietly(readFd);
                return false;
            }
            readPipes++;
        }
        Thread t = new Thread(() -> readPipe(identifier, readFd), name + " pipe " + Integer.toHexString(identifier));
        t.setDaemon(true);
        t.start();
        return true;
    }

    boolean canAddReadPipe() {
        synchronized (lock) {
            return !closed && readPipes < MAX_READ_PIPES;
        }
    }

    /** For vgpu:contexts. */
    String describe() {
        synchronized (lock) {
            return "wayland channel " + path + (hungUp ? " (compositor hung up)" : closed ? " (closed)" : "")
                    + ": to compositor " + bytesOut + " B " + fdsOut + " fds, from compositor " + bytesIn + " B " + fdsIn + " fds, "
                    + toGuest.size() + " queued for the guest, " + pendingCount + " polls waiting";
        }
    }

    boolean hungUp() {
        synchronized (lock) {
            return hungUp;
        }
    }

    /** Ends the connection and the threads; queued fds are closed. Waiting fences are the device's to complete. */
    @Override
    public void close() {
        ArrayDeque<Outbound> dropped;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            dropped = new ArrayDeque<>(toCompositor);
            toCompositor.clear();
            toGuest.clear();
            pendingCount = 0;
            lock.notifyAll();
        }
        dropped.forEach(Outbound::closeFds);
        socket.shutdown(); // wakes the reader's recv
        socket.close();
    }

    // ---- the channel's own threads ----

    private void readCompositor() {
        ByteBuffer data = ByteBuffer.allocateDirect(MAX_RECEIVE_DATA);
        int[] fds = new int[UnixSocket.MAX_FDS];
        try {
            while (awaitRoomForGuest()) {
                data.clear();
                int n = socket.recv(data, fds);
                int count = UnixSocket.countFds(fds);
                if (n == 0 && count == 0) {
                    break; // the compositor closed the connection
                }
                ByteBuffer message = receive(data, n, fds, count);
                if (message == null) {
                    LOG.log(Level.WARNING, "{0}: the compositor passed an fd the guest cannot be given, or too many: channel closed", name);
                    break;
                }
                synchronized (lock) {
                    bytesIn += n;
                    fdsIn += count;
                }
                deliver(message);
            }
        } catch (NativeException e) {
            if (!isClosed()) {
                LOG.log(Level.INFO, "{0}: compositor connection ended: {1}", name, e.getMessage());
            }
        }
        socket.shutdown(); // the connection is over for the compositor too (a violation disconnects it)
        hangUp();
    }

    /** A RECEIVE of the bytes and fds (each held as an identifier); null (all closed) if one cannot be. */
    private ByteBuffer receive(ByteBuffer data, int n, int[] fds, int count) {
        ByteBuffer m = receiveHeader(count, n);
        for (int i = 0; i < count; i++) {
            ReceivedFd kind = ReceivedFd.of(fds[i]);
            int id = kind == null ? 0 : identifiers.add(kind.identifierType(), fds[i], kind.size());
            if (id == 0) {
                for (int j = kind == null ? i : i + 1; j < count; j++) {
                    LinuxNative.closeQuietly(fds[j]);
                }
                for (int j = 0; j < i; j++) {
                    identifiers.remove(m.getInt(SR_IDENTIFIERS + 4 * j));
                }
                return null;
            }
            m.putInt(SR_IDENTIFIERS + 4 * i, id).putInt(SR_TYPES + 4 * i, kind.identifierType())
                    .putInt(SR_SIZES + 4 * i, (int) kind.size());
        }
        m.put(SEND_RECEIVE_SIZE, data, 0, n);
        return m;
    }

    private static ByteBuffer receiveHeader(int identifiers, int dataSize) {
        ByteBuffer m = ByteBuffer.allocate(SEND_RECEIVE_SIZE + dataSize).order(ByteOrder.LITTLE_ENDIAN);
        m.put(0, (byte) CMD_RECEIVE).putShort(2, (short) Math.min(0xffff, SEND_RECEIVE_SIZE + dataSize));
        m.putInt(SR_NUM_IDENTIFIERS, identifiers).putInt(SR_DATA_SIZE, dataSize);
        return m;
    }

    private static ByteBuffer readMessage(int identifier, boolean hangUp, ByteBuffer data, int n) {
        ByteBuffer m = ByteBuffer.allocate(READ_WRITE_SIZE + n).order(ByteOrder.LITTLE_ENDIAN);
        m.put(0, (byte) CMD_READ).putShort(2, (short) (READ_WRITE_SIZE + n));
        m.putInt(RW_IDENTIFIER, identifier).putInt(RW_HANG_UP, hangUp ? 1 : 0).putInt(RW_DATA_SIZE, n);
        m.put(READ_WRITE_SIZE, data, 0, n);
        return m;
    }

    /** Waits until the guest's queue has room (the reader's back-pressure); false once closed. */
    private boolean awaitRoomForGuest() {
        synchronized (lock) {
            while (!closed && toGuestBytes >= MAX_TO_GUEST_BYTES) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !closed;
        }
    }

    /** Into the ring now if a fence waits for it (outside the lock: writing takes the device's), else queued. */
    private void deliver(ByteBuffer message) {
        long fence;
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (pendingCount == 0) {
                toGuest.add(message);
                toGuestBytes += message.limit();
                return;
            }
            fence = pendingFences[pendingHead];
            pendingHead = (pendingHead + 1) % MAX_PENDING_FENCES;
            pendingCount--;
        }
        ring.write(message, message.limit());
        ring.signal(fence);
    }

    /** The compositor is gone: waiting fences get the empty RECEIVE, later ones too. */
    private void hangUp() {
        long[] waiting;
        synchronized (lock) {
            if (hungUp) {
                return;
            }
            hungUp = true;
            waiting = new long[pendingCount];
            for (int i = 0; i < pendingCount; i++) {
                waiting[i] = pendingFences[(pendingHead + i) % MAX_PENDING_FENCES];
            }
            pendingCount = 0;
            lock.notifyAll();
            if (closed) {
                return;
            }
        }
        if (waiting.length > 0) {
            ring.write(HANG_UP, HANG_UP.limit());
            ring.signal(waiting[waiting.length - 1]); // a ring's later fence completes the earlier ones
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void writeCompositor() {
        ByteBuffer staging = ByteBuffer.allocateDirect(64 << 10);
        long stagingAddress = Pointer.nativeValue(Native.getDirectBufferPointer(staging));
        while (true) {
            Outbound o;
            synchronized (lock) {
                while (!closed && !hungUp && toCompositor.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (closed || hungUp) {
                    return;
                }
                o = toCompositor.poll();
                toCompositorBytes -= o.size();
            }
            try {
                if (o.pipeFd() >= 0) {
                    writePipe(o, staging, stagingAddress);
                } else {
                    sendMessage(o);
                }
            } catch (NativeException e) {
                if (o.pipeFd() < 0) {
                    LOG.log(Level.INFO, "{0}: sending to the compositor failed: {1}", name, e.getMessage());
                    socket.shutdown(); // the reader sees the end and reports the hang-up
                    o.closeFds();
                    return;
                }
                // a pipe whose reader went away: that transfer ends, the channel goes on
            }
            o.closeFds();
        }
    }

    /**
     * All the bytes with all the fds. UnixSocket passes at most MAX_FDS per sendmsg: with more,
     * each earlier batch rides on one byte and the last on the rest (the compositor's libwayland
     * queues fds apart from bytes, so only their order matters).
     */
    private void sendMessage(Outbound o) throws NativeException {
        ByteBuffer data = o.data();
        int[] fds = o.fds();
        int bytes = data.remaining();
        int sentFds = 0;
        while (sentFds < fds.length || data.hasRemaining()) {
            int left = fds.length - sentFds;
            int batch = Math.min(UnixSocket.MAX_FDS, left);
            if (batch > 0 && !data.hasRemaining()) {
                throw new NativeException("more fds than bytes to carry them", 0);
            }
            ByteBuffer chunk = data;
            if (left > batch) {
                chunk = data.duplicate();
                chunk.limit(chunk.position() + 1);
            }
            int n = socket.send(chunk, batch == fds.length ? fds : Arrays.copyOfRange(fds, sentFds, sentFds + batch));
            if (chunk != data) {
                data.position(data.position() + n);
            }
            sentFds += batch;
        }
        synchronized (lock) {
            bytesOut += bytes;
            fdsOut += fds.length;
        }
    }

    private void writePipe(Outbound o, ByteBuffer staging, long address) throws NativeException {
        ByteBuffer data = o.data();
        while (data.hasRemaining()) {
            int n = Math.min(staging.capacity(), data.remaining());
            staging.clear();
            staging.put(0, data, data.position(), n);
            long done = 0;
            while (done < n) {
                long w = LinuxNative.write(o.pipeFd(), address + done, n - done);
                if (w < 0 && LinuxNative.errno() == LinuxNative.EINTR) {
                    continue;
                }
                LinuxNative.check("write pipe", w);
                done += w;
            }
            data.position(data.position() + n);
        }
        synchronized (lock) {
            bytesOut += data.limit();
        }
    }

    private void readPipe(int identifier, int fd) {
        ByteBuffer data = ByteBuffer.allocateDirect(MAX_READ_DATA);
        long address = Pointer.nativeValue(Native.getDirectBufferPointer(data));
        com.sun.jna.Memory pollFd = new com.sun.jna.Memory(8);
        try {
            while (awaitRoomForGuest()) {
                pollFd.setInt(0, fd);
                pollFd.setShort(4, LinuxNative.POLLIN);
                pollFd.setShort(6, (short) 0);
                int ready = LinuxNative.poll(Pointer.nativeValue(pollFd), 1, PIPE_POLL_MILLIS);
                if (ready == 0 || ready < 0 && LinuxNative.errno() == LinuxNative.EINTR) {
                    continue;
                }
                long n = LinuxNative.read(fd, address, MAX_READ_DATA);
                if (n < 0 && LinuxNative.errno() == LinuxNative.EINTR) {
                    continue;
                }
                int got = (int) Math.max(0, n);
                synchronized (lock) {
                    bytesIn += got;
                }
                deliver(readMessage(identifier, got == 0, data, got));
                if (got == 0) {
                    return; // end of the transfer (or an error: reported as its end)
                }
            }
        } finally {
            pollFd.close();
            LinuxNative.closeQuietly(fd);
            synchronized (lock) {
                readPipes--;
            }
        }
    }
}
