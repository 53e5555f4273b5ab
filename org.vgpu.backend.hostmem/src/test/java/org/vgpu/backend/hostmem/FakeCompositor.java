package org.vgpu.backend.hostmem;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/** A compositor's listening socket that hands each connection to the test: it sees exactly what vgpu passes. */
final class FakeCompositor implements AutoCloseable {
    final Path path;
    private final UnixSocket listener;
    private final BlockingQueue<UnixSocket> accepted = new LinkedBlockingQueue<>();
    private final List<UnixSocket> all = new ArrayList<>();
    private final Thread acceptor;

    /** What one recvmsg got. */
    record Received(byte[] data, int[] fds) {
    }

    FakeCompositor(Path path) throws NativeException {
        this.path = path;
        listener = UnixSocket.listen(path, 8);
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(listener.accept());
                }
            } catch (NativeException e) {
                // closed
            }
        }, "fake compositor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The next connection vgpu made (bounded wait). */
    UnixSocket connection() throws InterruptedException {
        UnixSocket s = accepted.poll(10, TimeUnit.SECONDS);
        assertTrue(s != null, "vgpu did not connect to the compositor within 10 s");
        all.add(s);
        return s;
    }

    /** Whether a connection arrives within millis (for asserting that none does). */
    boolean connectsWithin(long millis) throws InterruptedException {
        UnixSocket s = accepted.poll(millis, TimeUnit.MILLISECONDS);
        if (s != null) {
            all.add(s);
        }
        return s != null;
    }

    /** One recvmsg on a connection, after waiting up to 10 s for it. */
    static Received receive(UnixSocket s) throws NativeException {
        assertTrue(s.awaitReadable(10_000), "nothing from vgpu within 10 s");
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        int[] fds = new int[UnixSocket.MAX_FDS];
        int n = s.recv(b, fds);
        byte[] data = new byte[n];
        b.flip().get(data);
        return new Received(data, java.util.Arrays.copyOf(fds, UnixSocket.countFds(fds)));
    }

    /** A memfd holding contents, with these seals added (0: none), as a compositor makes its keymap. */
    static int memfd(String name, byte[] contents, int seals) throws NativeException {
        int fd = LinuxNative.check("memfd_create", LinuxNative.memfd_create(name, LinuxNative.MFD_CLOEXEC | LinuxNative.MFD_ALLOW_SEALING));
        write(fd, contents);
        if (seals != 0) {
            LinuxNative.check("F_ADD_SEALS", LinuxNative.fcntl(fd, LinuxNative.F_ADD_SEALS, seals));
        }
        return fd;
    }

    /** Reads up to max bytes from an fd (blocking); "" at end of file. */
    static byte[] read(int fd, int max) throws NativeException {
        ByteBuffer b = ByteBuffer.allocateDirect(max);
        long n = LinuxNative.check("read", LinuxNative.read(fd, com.sun.jna.Pointer.nativeValue(com.sun.jna.Native.getDirectBufferPointer(b)), max));
        byte[] out = new byte[(int) n];
        b.get(0, out);
        return out;
    }

    static void write(int fd, byte[] data) throws NativeException {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length).put(data);
        LinuxNative.check("write", LinuxNative.write(fd, com.sun.jna.Pointer.nativeValue(com.sun.jna.Native.getDirectBufferPointer(b)), data.length));
    }

    @Override
    public void close() {
        listener.shutdown();
        listener.close();
        for (UnixSocket s : all) {
            s.shutdown();
            s.close();
        }
        UnixSocket s;
        while ((s = accepted.poll()) != null) {
            s.close();
        }
    }
}
