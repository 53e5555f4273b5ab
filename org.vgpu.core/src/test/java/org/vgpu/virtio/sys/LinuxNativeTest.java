package org.vgpu.virtio.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

class LinuxNativeTest {

    private static final long SIZE = 1 << 16;

    @Test
    void errnoAndStrerrorReachTheException() {
        assertEquals(-1, LinuxNative.close(-5));
        assertEquals(LinuxNative.EBADF, LinuxNative.errno());
        NativeException e = assertThrows(NativeException.class, () -> LinuxNative.check("close", LinuxNative.close(-5)));
        assertEquals(LinuxNative.EBADF, e.errno());
        assertTrue(e.getMessage().contains("Bad file descriptor"), e.getMessage());
    }

    @Test
    void memfdIsVisibleThroughTwoMappings() throws Exception {
        int fd = memfd();
        long a = map(fd);
        long b = map(fd);
        try {
            assertNotEquals(a, b);
            new Pointer(a).setLong(4096, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, new Pointer(b).getLong(4096));
            assertEquals(LinuxNative.F_SEAL_SHRINK,
                    LinuxNative.check("F_GET_SEALS", LinuxNative.fcntl(fd, LinuxNative.F_GET_SEALS, 0)));
            assertTrue(LinuxNative.ftruncate(fd, SIZE / 2) < 0, "sealed against shrinking");
            LinuxNative.memcpy(b + 8192, a + 4096, 8);
            assertEquals(0x1122334455667788L, new Pointer(a).getLong(8192));
        } finally {
            LinuxNative.munmap(a, SIZE);
            LinuxNative.munmap(b, SIZE);
            LinuxNative.close(fd);
        }
    }

    /** pidfd_getfd hands another process's descriptor over: tests use it to open vgpu's dma-bufs. */
    @Test
    void pidfdGetfdDuplicatesADescriptorOfAProcess() throws Exception {
        int fd = memfd();
        long a = map(fd);
        int pidfd = LinuxNative.check("pidfd_open", LinuxNative.pidfdOpen(LinuxNative.getpid()));
        int copy = LinuxNative.check("pidfd_getfd", LinuxNative.pidfdGetfd(pidfd, fd));
        long b = map(copy);
        try {
            assertNotEquals(fd, copy);
            new Pointer(a).setLong(0, 0x0102030405060708L);
            assertEquals(0x0102030405060708L, new Pointer(b).getLong(0), "same file behind both descriptors");
            assertTrue(LinuxNative.pidfdGetfd(pidfd, -7) < 0, "a bad target fd fails");
            assertEquals(LinuxNative.EBADF, LinuxNative.errno());
        } finally {
            LinuxNative.munmap(a, SIZE);
            LinuxNative.munmap(b, SIZE);
            LinuxNative.close(copy);
            LinuxNative.close(pidfd);
            LinuxNative.close(fd);
        }
    }

    @Test
    void eventFdCountsSignalsAndConsumeResets() throws Exception {
        try (EventFd e = EventFd.create(true)) {
            assertEquals(0, e.consume());
            e.signal();
            e.signal();
            e.signal();
            assertEquals(3, e.consume());
            assertEquals(0, e.consume());
        }
    }

    @Test
    void socketPairPassesAnFdThatReadsTheSameFile() throws Exception {
        int fd = memfd();
        long a = map(fd);
        new Pointer(a).setInt(0, 0xCAFEBABE);
        UnixSocket[] pair = UnixSocket.pair();
        try (UnixSocket left = pair[0]; UnixSocket right = pair[1]) {
            ByteBuffer msg = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5});
            assertEquals(5, left.send(msg, fd));
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            int[] fds = new int[UnixSocket.MAX_FDS];
            assertEquals(5, right.recv(in, fds));
            assertEquals(1, UnixSocket.countFds(fds));
            assertNotEquals(fd, fds[0]);
            assertEquals(5, in.get(4));
            long b = map(fds[0]);
            assertEquals(0xCAFEBABE, new Pointer(b).getInt(0));
            LinuxNative.munmap(b, SIZE);
            LinuxNative.close(fds[0]);
        } finally {
            LinuxNative.munmap(a, SIZE);
            LinuxNative.close(fd);
        }
    }

    @Test
    void listeningSocketReplacesStaleFileWithMode0600(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("s.sock");
        Files.writeString(path, "stale");
        try (UnixSocket server = UnixSocket.listen(path, 1); UnixSocket client = UnixSocket.connect(path);
                UnixSocket accepted = server.accept()) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(path));
            client.send(ByteBuffer.wrap("hi".getBytes()));
            ByteBuffer in = ByteBuffer.allocate(8);
            assertEquals(2, accepted.recv(in, new int[UnixSocket.MAX_FDS]));
            assertEquals('i', in.get(1));
        }
    }

    @Test
    void pollTimesOutWithoutEvents() throws Exception {
        try (EventFd e = EventFd.create(true); Memory pfd = new Memory(8)) {
            pfd.setInt(0, e.fd());
            pfd.setShort(4, LinuxNative.POLLIN);
            pfd.setShort(6, (short) 0);
            long start = System.nanoTime();
            assertEquals(0, LinuxNative.poll(Pointer.nativeValue(pfd), 1, 50));
            assertTrue(System.nanoTime() - start >= 40_000_000L);
            e.signal();
            assertEquals(1, LinuxNative.poll(Pointer.nativeValue(pfd), 1, 1000));
            assertEquals(LinuxNative.POLLIN, pfd.getShort(6));
        }
    }

    private static int memfd() throws NativeException {
        int fd = LinuxNative.check("memfd_create",
                LinuxNative.memfd_create("test", LinuxNative.MFD_CLOEXEC | LinuxNative.MFD_ALLOW_SEALING));
        LinuxNative.check("ftruncate", LinuxNative.ftruncate(fd, SIZE));
        LinuxNative.check("seal", LinuxNative.fcntl(fd, LinuxNative.F_ADD_SEALS, LinuxNative.F_SEAL_SHRINK));
        return fd;
    }

    private static long map(int fd) throws NativeException {
        long addr = LinuxNative.mmap(0, SIZE, LinuxNative.PROT_READ | LinuxNative.PROT_WRITE, LinuxNative.MAP_SHARED, fd, 0);
        if (addr == LinuxNative.MAP_FAILED) {
            throw new NativeException("mmap", LinuxNative.errno());
        }
        return addr;
    }
}
