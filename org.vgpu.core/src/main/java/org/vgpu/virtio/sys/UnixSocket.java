package org.vgpu.virtio.sys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.Native;

/**
 * An AF_UNIX stream socket done wholly through libc (so passed fds are never lost to NIO),
 * sending and receiving messages with up to {@link #MAX_FDS} file descriptors (SCM_RIGHTS).
 * Received fds are close-on-exec and owned by the caller.
 *
 * <p>A call after {@link #close()} fails instead of using the fd number, and the number is freed
 * only when no call is in the kernel: otherwise a thread woken late could read from, or write
 * to, whatever socket the number was given to next. Close does not shut the socket down (a
 * copy of it may have been passed to a peer); {@link #shutdown()} does, to wake blocked calls.
 */
public final class UnixSocket implements AutoCloseable {

    public static final int MAX_FDS = 8;

    // struct msghdr (LP64): name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48
    private static final int MSGHDR_SIZE = 56;
    private static final int IOVEC_SIZE = 16;
    private static final int CMSG_HEADER = 16; // cmsg_len (size_t), cmsg_level, cmsg_type
    private static final int CMSG_SPACE = CMSG_HEADER + MAX_FDS * 4; // 48, already 8-aligned
    /** Where the control message starts in a MessageBuffer: after msghdr and two iovecs (a gather send uses both). */
    private static final int CMSG_AT = MSGHDR_SIZE + 2 * IOVEC_SIZE;
    private static final int SOCKADDR_UN_SIZE = 110;
    private static final int SUN_PATH_MAX = 107;

    private final int fd;
    private final MessageBuffer sendBuffer = new MessageBuffer();
    private final MessageBuffer recvBuffer = new MessageBuffer();
    private final Object state = new Object();
    private int callsInKernel; // guarded by state
    private boolean closed; // guarded by state
    private boolean fdReleased; // guarded by state
    private final Memory pollFd = new Memory(8); // struct pollfd

    private UnixSocket(int fd) {
        this.fd = fd;
    }

    /** Takes ownership of a connected AF_UNIX socket fd. */
    public static UnixSocket adopt(int fd) {
        return new UnixSocket(fd);
    }

    /**
     * Listens on path with mode 0600, replacing a stale file there. The mode is set before
     * listen(), so nobody else can connect in between.
     */
    public static UnixSocket listen(Path path, int backlog) throws NativeException {
        String p = path.toString();
        int fd = LinuxNative.check("socket", LinuxNative.socket(LinuxNative.AF_UNIX,
                LinuxNative.SOCK_STREAM | LinuxNative.SOCK_CLOEXEC, 0));
        try (Memory addr = sockaddr(p)) {
            if (LinuxNative.unlink(p) < 0 && LinuxNative.errno() != LinuxNative.ENOENT) {
                throw new NativeException("unlink " + p, LinuxNative.errno());
            }
            LinuxNative.check("bind " + p, LinuxNative.bind(fd, Pointer.nativeValue(addr), SOCKADDR_UN_SIZE));
            LinuxNative.check("chmod " + p, LinuxNative.chmod(p, 0600));
            LinuxNative.check("listen " + p, LinuxNative.listen(fd, backlog));
            return new UnixSocket(fd);
        } catch (NativeException | RuntimeException e) {
            LinuxNative.close(fd);
            throw e;
        }
    }

    public static UnixSocket connect(Path path) throws NativeException {
        String p = path.toString();
        int fd = LinuxNative.check("socket", LinuxNative.socket(LinuxNative.AF_UNIX,
                LinuxNative.SOCK_STREAM | LinuxNative.SOCK_CLOEXEC, 0));
        try (Memory addr = sockaddr(p)) {
            int r;
            do {
                r = LinuxNative.connect(fd, Pointer.nativeValue(addr), SOCKADDR_UN_SIZE);
            } while (r < 0 && LinuxNative.errno() == LinuxNative.EINTR);
            LinuxNative.check("connect " + p, r);
            return new UnixSocket(fd);
        } catch (NativeException | RuntimeException e) {
            LinuxNative.close(fd);
            throw e;
        }
    }

    /** Two connected stream sockets. */
    public static UnixSocket[] pair() throws NativeException {
        int[] sv = new int[2];
        LinuxNative.check("socketpair", LinuxNative.socketpair(LinuxNative.AF_UNIX,
                LinuxNative.SOCK_STREAM | LinuxNative.SOCK_CLOEXEC, 0, sv));
        return new UnixSocket[] {new UnixSocket(sv[0]), new UnixSocket(sv[1])};
    }

    public int fd() {
        return fd;
    }

    /** Blocks for the next connection on a listening socket. */
    public UnixSocket accept() throws NativeException {
        enter("accept4");
        try {
            int r;
            do {
                r = LinuxNative.accept4(fd, 0, 0, LinuxNative.SOCK_CLOEXEC);
            } while (r < 0 && LinuxNative.errno() == LinuxNative.EINTR);
            return new UnixSocket(LinuxNative.check("accept4", r));
        } finally {
            exit();
        }
    }

    /**
     * Sends src[position..limit) in one sendmsg with the given fds attached (none if empty);
     * returns the bytes sent and advances src's position by them.
     */
    public int send(ByteBuffer src, int... fds) throws NativeException {
        if (fds.length > MAX_FDS) {
            throw new IllegalArgumentException(fds.length + " fds > " + MAX_FDS);
        }
        synchronized (sendBuffer) {
            int length = src.remaining();
            long data = sendBuffer.dataFor(src, length);
            if (!src.isDirect()) {
                sendBuffer.staging.write(0, src.array(), src.arrayOffset() + src.position(), length);
            }
            Memory m = sendBuffer.header;
            sendBuffer.prepare(data, length, fds.length);
            for (int i = 0; i < fds.length; i++) {
                m.setInt(CMSG_AT + CMSG_HEADER + 4L * i, fds[i]);
            }
            long n = sendmsg(m);
            src.position(src.position() + (int) n);
            return (int) n;
        }
    }

    /**
     * Sends head[position..limit) then body[position..limit) in one sendmsg with two iovecs, no
     * fds: a message whose payload stays where it is (a display update straight from a resource's
     * pixels) instead of being copied behind its header first. Both buffers must be direct.
     * Returns the bytes sent; advances head's position, then body's, by them.
     */
    public long send(ByteBuffer head, ByteBuffer body) throws NativeException {
        if (!head.isDirect() || !body.isDirect()) {
            throw new IllegalArgumentException("a gather send needs direct buffers");
        }
        synchronized (sendBuffer) {
            int headLength = head.remaining();
            int bodyLength = body.remaining();
            sendBuffer.prepare(sendBuffer.dataFor(head, headLength), headLength, 0);
            Memory m = sendBuffer.header;
            m.setLong(24, 2); // msg_iovlen
            m.setLong(MSGHDR_SIZE + IOVEC_SIZE, sendBuffer.bodyAddress(body)); // iov_base
            m.setLong(MSGHDR_SIZE + IOVEC_SIZE + 8, bodyLength); // iov_len
            long n = sendmsg(m);
            int fromHead = (int) Math.min(n, headLength);
            head.position(head.position() + fromHead);
            body.position(body.position() + (int) (n - fromHead));
            return n;
        }
    }

    /** One sendmsg of the prepared header, again after EINTR; the bytes sent. */
    private long sendmsg(Memory header) throws NativeException {
        long n;
        enter("sendmsg");
        try {
            do {
                n = LinuxNative.sendmsg(fd, Pointer.nativeValue(header), LinuxNative.MSG_NOSIGNAL);
            } while (n < 0 && LinuxNative.errno() == LinuxNative.EINTR);
        } finally {
            exit();
        }
        return LinuxNative.check("sendmsg", n);
    }

    /**
     * Receives into dst[position..limit) with one recvmsg; returns the bytes received (0 at end
     * of stream) and advances dst's position. fdsOut (length >= MAX_FDS recommended) gets the
     * passed fds first, then -1s. If the kernel truncated the fds, they are closed and this throws.
     */
    public int recv(ByteBuffer dst, int[] fdsOut) throws NativeException {
        synchronized (recvBuffer) {
            int length = dst.remaining();
            long data = recvBuffer.dataFor(dst, length);
            recvBuffer.prepare(data, length, MAX_FDS);
            recvBuffer.header.setLong(40, CMSG_SPACE); // room for MAX_FDS
            Memory m = recvBuffer.header;
            long n;
            enter("recvmsg");
            try {
                do {
                    n = LinuxNative.recvmsg(fd, Pointer.nativeValue(m), LinuxNative.MSG_CMSG_CLOEXEC);
                } while (n < 0 && LinuxNative.errno() == LinuxNative.EINTR);
            } finally {
                exit();
            }
            LinuxNative.check("recvmsg", n);
            Arrays.fill(fdsOut, -1);
            int received = recvBuffer.collectFds(fdsOut);
            if ((m.getInt(48) & LinuxNative.MSG_CTRUNC) != 0 || received > fdsOut.length) {
                for (int f : fdsOut) {
                    LinuxNative.closeQuietly(f);
                }
                throw new NativeException("recvmsg: too many fds", 0);
            }
            if (!dst.isDirect()) {
                recvBuffer.staging.read(0, dst.array(), dst.arrayOffset() + dst.position(), (int) n);
            }
            dst.position(dst.position() + (int) n);
            return (int) n;
        }
    }

    /**
     * Waits up to timeoutMillis for data (or the peer's close) to read; false on timeout. Lets a
     * caller that needs a reply bound how long an unresponsive peer can stall it.
     */
    public boolean awaitReadable(int timeoutMillis) throws NativeException {
        synchronized (pollFd) {
            pollFd.setInt(0, fd);
            pollFd.setShort(4, LinuxNative.POLLIN);
            pollFd.setShort(6, (short) 0);
            int r;
            enter("poll");
            try {
                do {
                    r = LinuxNative.poll(Pointer.nativeValue(pollFd), 1, timeoutMillis);
                } while (r < 0 && LinuxNative.errno() == LinuxNative.EINTR);
            } finally {
                exit();
            }
            return LinuxNative.check("poll", r) > 0;
        }
    }

    /** Number of valid (non-negative) fds at the start of an fdsOut array filled by recv. */
    public static int countFds(int[] fds) {
        int n = 0;
        while (n < fds.length && fds[n] >= 0) {
            n++;
        }
        return n;
    }

    /**
     * Wakes threads blocked in accept/recv on this socket (close alone does not), and ends the
     * connection for every copy of the socket, a peer's too; idempotent.
     */
    public void shutdown() {
        synchronized (state) {
            if (!closed) {
                LinuxNative.shutdown(fd, LinuxNative.SHUT_RDWR);
            }
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        synchronized (state) {
            return closed;
        }
    }

    /** Releases this fd; calls still in the kernel keep its number until they return. */
    @Override
    public void close() {
        synchronized (state) {
            closed = true;
            releaseIfIdle();
        }
    }

    private void enter(String call) throws NativeException {
        synchronized (state) {
            if (closed) {
                throw new NativeException(call + ": socket closed", LinuxNative.EBADF);
            }
            callsInKernel++;
        }
    }

    private void exit() {
        synchronized (state) {
            callsInKernel--;
            releaseIfIdle();
        }
    }

    private void releaseIfIdle() {
        if (closed && callsInKernel == 0 && !fdReleased) {
            fdReleased = true;
            LinuxNative.close(fd);
        }
    }

    private static Memory sockaddr(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path longer than " + SUN_PATH_MAX + " bytes: " + path);
        }
        Memory addr = new Memory(SOCKADDR_UN_SIZE);
        addr.clear();
        addr.setShort(0, (short) LinuxNative.AF_UNIX);
        addr.write(2, bytes, 0, bytes.length);
        return addr;
    }

    /** msghdr + iovec + cmsg space in native memory, reused by every call in one direction. */
    private static final class MessageBuffer {
        final Memory header = new Memory(CMSG_AT + CMSG_SPACE);
        Memory staging = new Memory(4096); // for heap ByteBuffers
        // The last direct buffer and its address: callers reuse their buffers, and asking JNA
        // allocates a Pointer per call (a display update per guest flush goes through here).
        private ByteBuffer lastDirect;
        private long lastAddress;

        // The same for a gather send's second buffer (a resource's pixels), so the two do not evict each other.
        private ByteBuffer lastBody;
        private long lastBodyAddress;

        /** Address of a gather send's body at its position. */
        long bodyAddress(ByteBuffer body) {
            if (body != lastBody) {
                lastBodyAddress = Pointer.nativeValue(Native.getDirectBufferPointer(body));
                lastBody = body;
            }
            return lastBodyAddress + body.position();
        }

        /** Address of the bytes to send/receive: the direct buffer itself or the staging area. */
        long dataFor(ByteBuffer buffer, int length) {
            if (buffer.isDirect()) {
                if (buffer != lastDirect) {
                    lastAddress = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
                    lastDirect = buffer;
                }
                return lastAddress + buffer.position();
            }
            if (staging.size() < length) {
                staging.close();
                staging = new Memory(Math.max(length, 1));
            }
            return Pointer.nativeValue(staging);
        }

        void prepare(long data, int length, int fdCount) {
            long base = Pointer.nativeValue(header);
            header.clear();
            header.setLong(16, base + MSGHDR_SIZE); // msg_iov
            header.setLong(24, 1); // msg_iovlen
            header.setLong(MSGHDR_SIZE, data); // iov_base
            header.setLong(MSGHDR_SIZE + 8, length); // iov_len
            if (fdCount > 0) {
                header.setLong(32, base + CMSG_AT); // msg_control
                header.setLong(40, CMSG_HEADER + ((4L * fdCount + 7) & ~7L)); // CMSG_SPACE
                long cmsg = CMSG_AT;
                header.setLong(cmsg, CMSG_HEADER + 4L * fdCount); // cmsg_len = CMSG_LEN(n*4)
                header.setInt(cmsg + 8, LinuxNative.SOL_SOCKET);
                header.setInt(cmsg + 12, LinuxNative.SCM_RIGHTS);
            }
        }

        /** Copies SCM_RIGHTS fds into out; returns how many the kernel delivered. */
        int collectFds(int[] out) {
            long controlLen = header.getLong(40);
            if (controlLen < CMSG_HEADER) {
                return 0;
            }
            long cmsg = CMSG_AT;
            long cmsgLen = header.getLong(cmsg);
            if (header.getInt(cmsg + 8) != LinuxNative.SOL_SOCKET || header.getInt(cmsg + 12) != LinuxNative.SCM_RIGHTS
                    || cmsgLen < CMSG_HEADER || cmsgLen > CMSG_SPACE) {
                return 0;
            }
            int n = (int) ((cmsgLen - CMSG_HEADER) / 4);
            for (int i = 0; i < n; i++) {
                int f = header.getInt(cmsg + CMSG_HEADER + 4L * i);
                if (i < out.length) {
                    out[i] = f;
                } else {
                    LinuxNative.closeQuietly(f);
                }
            }
            return n;
        }
    }
}
