package org.vgpu.virtio.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/** A Linux eventfd counter: kick and call notifications between the VMM and the device. */
public final class EventFd implements AutoCloseable {

    /** A constant 8-byte 1, shared by all signal() calls: the kernel only reads it. */
    private static final Memory ONE = new Memory(8);

    static {
        ONE.setLong(0, 1L);
    }

    private final int fd;
    private final Memory counter = new Memory(8); // read target of consume(), guarded by this
    private volatile boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
    }

    /** A new close-on-exec eventfd; nonblocking makes consume() return 0 instead of waiting. */
    public static EventFd create(boolean nonblocking) throws NativeException {
        int flags = LinuxNative.EFD_CLOEXEC | (nonblocking ? LinuxNative.EFD_NONBLOCK : 0);
        return new EventFd(LinuxNative.check("eventfd", LinuxNative.eventfd(0, flags)));
    }

    /** Takes ownership of an eventfd received from elsewhere (e.g. a vhost-user SET_VRING_KICK). */
    public static EventFd adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd);
        }
        return new EventFd(fd);
    }

    public int fd() {
        return fd;
    }

    /** Adds 1 to the counter. */
    public void signal() throws NativeException {
        long n;
        do {
            n = LinuxNative.write(fd, Pointer.nativeValue(ONE), 8);
        } while (n < 0 && LinuxNative.errno() == LinuxNative.EINTR);
        if (n < 0 && LinuxNative.errno() != LinuxNative.EAGAIN) { // EAGAIN: counter saturated, already signalled
            throw new NativeException("eventfd write", LinuxNative.errno());
        }
    }

    /** Reads and resets the counter; returns 0 if it was 0 (nonblocking) . Blocks when blocking and 0. */
    public synchronized long consume() throws NativeException {
        long n;
        do {
            n = LinuxNative.read(fd, Pointer.nativeValue(counter), 8);
        } while (n < 0 && LinuxNative.errno() == LinuxNative.EINTR);
        if (n < 0) {
            if (LinuxNative.errno() == LinuxNative.EAGAIN) {
                return 0;
            }
            throw new NativeException("eventfd read", LinuxNative.errno());
        }
        return counter.getLong(0);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LinuxNative.close(fd);
        }
    }
}
