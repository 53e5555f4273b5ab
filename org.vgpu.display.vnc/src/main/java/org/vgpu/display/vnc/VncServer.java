package org.vgpu.display.vnc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ScanoutPixels;

/**
 * A VNC server for one scanout of one GPU device, as QEMU's -vnc: a display sink that keeps a copy
 * of the scanout and the cursor, an acceptor thread, and per client a reader and a sender thread.
 * Calls for other devices or scanouts are ignored.
 */
final class VncServer implements DisplaySink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VncServer.class.getName());

    private final VncSettings settings;
    private final InputRouter input;
    private final VncAuth auth;
    private final Framebuffer fb = new Framebuffer();
    private final ServerSocketChannel listener;
    private final ScheduledExecutorService timeouts;
    /** Every connection, from accept (handshake included) to close: what max clients bounds. */
    private final List<VncClient> connections = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile VncClient lastClosed;

    VncServer(VncSettings settings, InputRouter input) throws IOException {
        this.settings = settings;
        this.input = input;
        this.auth = new VncAuth(settings.password());
        if (settings.listen().unix()) {
            listener = listenPrivately(((UnixDomainSocketAddress) settings.listen().address()).getPath());
        } else {
            listener = ServerSocketChannel.open();
            listener.bind(settings.listen().address());
        }
        timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vnc handshake timeouts " + settings.listen());
            t.setDaemon(true);
            return t;
        });
        Thread acceptor = new Thread(this::acceptLoop, "vnc listener " + settings.listen());
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.log(Level.INFO, "VNC server for {0} scanout {1} on {2}", new Object[] {settings.device(), settings.scanout(), address()});
    }

    /**
     * A UNIX socket at path that only its owner can ever connect to: Java binds and listens in one
     * step, so the socket is made in a fresh 0700 directory beside path, set to 0600 there, and
     * renamed into place (atomically, replacing a stale file of an earlier run).
     */
    static ServerSocketChannel listenPrivately(java.nio.file.Path path) throws IOException {
        java.nio.file.Path parent = path.toAbsolutePath().getParent();
        java.nio.file.Path dir = Files.createTempDirectory(parent, ".vnc-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        java.nio.file.Path made = dir.resolve("s");
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(made));
            Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rw-------"));
            Files.move(made, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(made);
            throw e;
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    VncSettings settings() {
        return settings;
    }

    InputRouter input() {
        return input;
    }

    VncAuth auth() {
        return auth;
    }

    String desktopName() {
        return "vgpu " + settings.device() + " scanout " + settings.scanout();
    }

    /** Where it listens, with the actual port when the configuration said 0. */
    ListenAddress address() {
        if (settings.listen().unix()) {
            return settings.listen(); // the socket was bound under another name, then renamed here
        }
        try {
            return new ListenAddress(listener.getLocalAddress());
        } catch (IOException e) {
            return settings.listen();
        }
    }

    List<VncClient> clients() {
        return connections;
    }

    Framebuffer framebuffer() {
        return fb;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "VNC listener " + settings.listen() + " failed", e);
                }
                return;
            }
            String remote = remoteName(ch);
            if (connections.size() >= settings.maxClients()) {
                LOG.log(Level.WARNING, "VNC: refusing {0}: {1} clients already", new Object[] {remote, settings.maxClients()});
                refuse(ch);
                continue;
            }
            VncClient client = new VncClient(this, fb, ch, remote);
            connections.add(client);
            timeouts.schedule(() -> {
                if (!client.ready) {
                    client.close("no handshake within " + settings.handshakeTimeoutMillis() + " ms");
                }
            }, settings.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
            client.start();
        }
    }

    /** Over the client limit: RFB 3.8's way of saying no (no security types, then a reason), then close. */
    private static void refuse(SocketChannel ch) {
        try (ch) {
            byte[] reason = "too many clients".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.allocate(12 + 1 + 4 + reason.length);
            b.put(VncClient.VERSION).put((byte) 0).putInt(reason.length).put(reason).flip();
            ch.configureBlocking(false); // never wait on a client we are refusing
            ch.write(b);
        } catch (IOException e) {
            // it is going away either way
        }
    }

    private static String remoteName(SocketChannel ch) {
        try {
            Object a = ch.getRemoteAddress();
            return a == null || a.toString().isEmpty() ? "unix" : a.toString().replaceFirst("^/", "");
        } catch (IOException e) {
            return "?";
        }
    }

    void removed(VncClient client) {
        connections.remove(client);
        lastClosed = client;
    }

    /** The client that disconnected last (what it used, for the shell and tests), or null. */
    VncClient lastClosed() {
        return lastClosed;
    }

    private boolean mine(String device, int scanoutId) {
        return scanoutId == settings.scanout() && device.equals(settings.device());
    }

    @Override
    public void scanoutConfigured(String device, int scanoutId, int width, int height) {
        if (mine(device, scanoutId)) {
            fb.configure(width, height);
        }
    }

    @Override
    public void scanoutDisabled(String device, int scanoutId) {
        // The clients keep the last frame, as QEMU's do, until the guest shows something again.
    }

    @Override
    public void damaged(String device, int scanoutId, int x, int y, int width, int height, ScanoutPixels pixels) {
        if (mine(device, scanoutId)) {
            fb.damage(x, y, width, height, pixels);
        }
    }

    @Override
    public void cursorImage(String device, int scanoutId, ByteBuffer argb, int hotX, int hotY) {
        if (mine(device, scanoutId)) {
            fb.cursorImage(argb, hotX, hotY);
        }
    }

    @Override
    public void cursorMoved(String device, int scanoutId, int x, int y) {
        if (mine(device, scanoutId)) {
            fb.cursorMoved(x, y);
        }
    }

    @Override
    public void cursorHidden(String device, int scanoutId) {
        if (mine(device, scanoutId)) {
            fb.cursorHidden();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        if (settings.listen().unix()) {
            try {
                Files.deleteIfExists(((UnixDomainSocketAddress) settings.listen().address()).getPath());
            } catch (IOException e) {
                // leave it
            }
        }
        for (VncClient c : connections) {
            c.close("server stopped");
        }
        timeouts.shutdownNow();
    }
}
