package org.vgpu.virtio.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The one place with native calls: libc through JNA direct mapping (static natives, plain long
 * addresses, no per-call objects). Constants are those of Linux on 64-bit x86_64 and aarch64.
 * The raw calls return -1 and leave errno in {@link #errno()}; {@link #check} turns that into
 * a {@link NativeException}.
 */
public final class LinuxNative {

    // memfd_create
    public static final int MFD_CLOEXEC = 0x1;
    public static final int MFD_ALLOW_SEALING = 0x2;

    // fcntl
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_GET_SEALS = 1034;
    public static final int F_SEAL_SEAL = 0x1;
    public static final int F_SEAL_SHRINK = 0x2;
    public static final int F_SEAL_GROW = 0x4;
    public static final int F_SEAL_WRITE = 0x8;
    public static final int FD_CLOEXEC = 1;
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    // mmap
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x1;
    public static final int MAP_PRIVATE = 0x2;
    public static final int MAP_NORESERVE = 0x4000;
    public static final long MAP_FAILED = -1L;

    // eventfd
    public static final int EFD_SEMAPHORE = 0x1;
    public static final int EFD_NONBLOCK = O_NONBLOCK;
    public static final int EFD_CLOEXEC = O_CLOEXEC;

    // sockets
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = O_NONBLOCK;
    public static final int SOCK_CLOEXEC = O_CLOEXEC;
    public static final int SHUT_RDWR = 2;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;

    // poll
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    // errno values used by callers
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOENT = 2;

    static {
        if (Native.POINTER_SIZE != 8 || Native.LONG_SIZE != 8) {
            throw new ExceptionInInitializerError("vgpu needs a 64-bit Linux (LP64)");
        }
        Native.register(LinuxNative.class, NativeLibrary.getInstance("c"));
    }

    private LinuxNative() {
    }

    public static native int memfd_create(String name, int flags);

    public static native int ftruncate(int fd, long length);

    /** fcntl with an int argument (F_ADD_SEALS, F_SETFL, ...; pass 0 for commands without one). */
    public static native int fcntl(int fd, int cmd, int arg);

    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    public static native int munmap(long addr, long length);

    public static native int close(int fd);

    public static native int open(String path, int flags);

    public static native long read(int fd, long buf, long count);

    public static native long write(int fd, long buf, long count);

    public static native int eventfd(int initval, int flags);

    /** pipe2(2): fds[0] the read end, fds[1] the write end. */
    public static native int pipe2(int[] fds, int flags);

    /** ioctl with a pointer or integer argument. */
    public static native int ioctl(int fd, long request, long arg);

    public static native int socket(int domain, int type, int protocol);

    public static native int bind(int fd, long sockaddr, int addrlen);

    public static native int listen(int fd, int backlog);

    public static native int shutdown(int fd, int how);

    /** addr and addrlenPtr may be 0. */
    public static native int accept4(int fd, long sockaddr, long addrlenPtr, int flags);

    public static native int connect(int fd, long sockaddr, int addrlen);

    public static native int socketpair(int domain, int type, int protocol, int[] sv);

    public static native long sendmsg(int fd, long msghdr, int flags);

    public static native long recvmsg(int fd, long msghdr, int flags);

    /** fds points at nfds struct pollfd {int fd; short events; short revents}. */
    public static native int poll(long fds, long nfds, int timeoutMillis);

    public static native int unlink(String path);

    public static native int chmod(String path, int mode);

    public static native int getpid();

    /** syscall(2) for calls glibc has no wrapper for; unused arguments are ignored by the kernel. */
    public static native long syscall(long number, long a1, long a2, long a3);

    // x86_64 numbers: the project runs on x86_64 hosts only.
    static final long SYS_GETTID = 186;
    static final long SYS_TGKILL = 234;
    static final long SYS_PIDFD_OPEN = 434;
    static final long SYS_PIDFD_GETFD = 438;

    /**
     * A signal the JVM catches and ignores: sent to one thread it only interrupts a blocking
     * system call such as KVM_RUN (EINTR), nothing else happens.
     */
    public static final int SIGPIPE = 13;

    /** The kernel's id of the calling thread (gettid(2)). */
    public static int gettid() {
        return (int) syscall(SYS_GETTID, 0, 0, 0);
    }

    /** Sends sig to thread tid of this process (tgkill(2)). */
    public static int tgkill(int tid, int sig) {
        return (int) syscall(SYS_TGKILL, getpid(), tid, sig);
    }

    /** A pidfd for another process (pidfd_open(2)). */
    public static int pidfdOpen(int pid) {
        return (int) syscall(SYS_PIDFD_OPEN, pid, 0, 0);
    }

    /** A duplicate of process pidfd's descriptor targetFd in this process (pidfd_getfd(2), needs ptrace rights). */
    public static int pidfdGetfd(int pidfd, int targetFd) {
        return (int) syscall(SYS_PIDFD_GETFD, pidfd, targetFd, 0);
    }

    public static native int getpagesize();

    public static native long memcpy(long dst, long src, long n);

    private static native String strerror(int errnum);

    /** errno of the last failed call on this thread (JNA saves it right after each native call). */
    public static int errno() {
        return Native.getLastError();
    }

    /** Returns result, or throws a NativeException with errno's text if result is negative. */
    public static int check(String call, int result) throws NativeException {
        if (result < 0) {
            throw new NativeException(call, errno());
        }
        return result;
    }

    /** As {@link #check(String, int)} for ssize_t results. */
    public static long check(String call, long result) throws NativeException {
        if (result < 0) {
            throw new NativeException(call, errno());
        }
        return result;
    }

    /** Closes fd, ignoring errors (for cleanup paths). Negative fds are ignored. */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            close(fd);
        }
    }

    static String describe(int errno) {
        String text = strerror(errno);
        return text != null ? text : "errno " + errno;
    }
}
