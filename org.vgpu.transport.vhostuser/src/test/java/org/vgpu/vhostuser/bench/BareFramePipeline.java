package org.vgpu.vhostuser.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.SynchronousQueue;

/**
 * The limit of {@link VhostUserGpuBenchmark}'s frames: what a frame costs with no device, no
 * virtqueue and no protocol. A "back end" thread copies the frame from every other 4 KiB page of
 * a 16 MB "guest RAM" (the driver's backing layout) into a shadow and writes it with a 32-byte
 * UPDATE header through a unix socket; a "display" thread reads it whole and copies it into a
 * kept heap surface (as the benchmark's display does), then the frame is done. Every copy a
 * back end and QEMU's display must make, nothing else.
 */
final class BareFramePipeline implements AutoCloseable {
    private static final int PAGE = 4096;
    private static final int HEADER = 32; // vhost-user-gpu header (12) + update (20)

    private final int frameBytes;
    private final ByteBuffer guest;
    private final ByteBuffer shadow;
    private final ByteBuffer received;
    private final ByteBuffer surface;
    private final Path dir;
    private final SocketChannel sender;
    private final SocketChannel receiver;
    private final Thread display;
    private final SynchronousQueue<Boolean> shown = new SynchronousQueue<>();
    private volatile boolean closing;

    BareFramePipeline(int width, int height) throws IOException {
        frameBytes = width * height * 4;
        int pages = (frameBytes + PAGE - 1) / PAGE;
        guest = ByteBuffer.allocateDirect(2 * pages * PAGE);
        for (int i = 0; i < guest.capacity(); i += 8) {
            guest.putLong(i, i * 0x9e3779b97f4a7c15L);
        }
        shadow = ByteBuffer.allocateDirect(HEADER + pages * PAGE).order(ByteOrder.LITTLE_ENDIAN);
        received = ByteBuffer.allocateDirect(HEADER + pages * PAGE);
        surface = ByteBuffer.allocate(frameBytes);
        dir = Files.createTempDirectory("vgpu-bare");
        Path path = dir.resolve("display.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            sender = SocketChannel.open(UnixDomainSocketAddress.of(path));
            receiver = server.accept();
        }
        display = new Thread(this::show, "bare-display");
        display.setDaemon(true);
        display.start();
    }

    /** Frames per second over n frames, each done when the display has copied it into its surface. */
    double framesPerSecond(int n) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        for (int f = 0; f < n; f++) {
            for (int i = 0, off = HEADER; off < HEADER + frameBytes; i++, off += PAGE) {
                shadow.put(off, guest, 2 * i * PAGE, Math.min(PAGE, HEADER + frameBytes - off));
            }
            shadow.putInt(0, 8).putInt(8, frameBytes + 20);
            shadow.clear().limit(HEADER + frameBytes);
            while (shadow.hasRemaining()) {
                sender.write(shadow);
            }
            shown.take();
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private void show() {
        try {
            while (!closing) {
                received.clear().limit(HEADER + frameBytes);
                while (received.hasRemaining()) {
                    if (receiver.read(received) < 0) {
                        return;
                    }
                }
                surface.clear();
                surface.put(received.flip().position(HEADER));
                shown.put(Boolean.TRUE);
            }
        } catch (IOException | InterruptedException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        closing = true;
        sender.close();
        receiver.close();
        display.interrupt();
        Files.deleteIfExists(dir.resolve("display.sock"));
        Files.deleteIfExists(dir);
    }
}
