package org.vgpu.core.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * The shell of a running, headless vgpu (a service, libvirt's child) for scripts and tests:
 * framework property {@code vgpu.control.socket} names a UNIX socket (mode 0600) where each
 * connection sends one Gogo command line and receives its output, then a final line
 * {@code vgpu-status: 0} or {@code vgpu-status: 2 <error>}. {@code ./vgpu attach} is the client.
 */
@Component(immediate = true)
public final class ControlSocket {
    public static final String PATH_PROPERTY = "vgpu.control.socket";
    static final String STATUS_PREFIX = "vgpu-status: ";
    /** A command line longer than this is refused: the socket is local, but a client can still be buggy. */
    static final int MAX_REQUEST = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(ControlSocket.class.getName());

    private final CommandProcessor processor;
    private final UnixSocket listener;
    private final Thread acceptor;

    @Activate
    public ControlSocket(@Reference CommandProcessor processor, BundleContext context) throws NativeException {
        this.processor = processor;
        String path = context.getProperty(PATH_PROPERTY);
        if (path == null || path.isBlank()) {
            listener = null;
            acceptor = null;
            return;
        }
        listener = UnixSocket.listen(Path.of(path).toAbsolutePath(), 4);
        acceptor = new Thread(this::acceptLoop, "vgpu-control");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("control socket on " + path);
    }

    private void acceptLoop() {
        while (true) {
            UnixSocket client;
            try {
                client = listener.accept();
            } catch (NativeException e) {
                return; // closed by deactivate
            }
            Thread t = new Thread(() -> serve(client), "vgpu-control-client");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(UnixSocket client) {
        try (client) {
            String line = readLine(client);
            byte[] reply = line == null ? status(2, "no command line within " + MAX_REQUEST + " bytes", new byte[0])
                    : execute(line);
            ByteBuffer out = ByteBuffer.wrap(reply);
            while (out.hasRemaining()) {
                client.send(out);
            }
        } catch (NativeException e) {
            LOG.log(Level.FINE, "control client went away", e);
        }
    }

    private static String readLine(UnixSocket client) throws NativeException {
        ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
        int[] noFds = new int[UnixSocket.MAX_FDS];
        while (in.hasRemaining()) {
            int n = client.recv(in, noFds);
            if (n <= 0) {
                break;
            }
            for (int i = in.position() - n; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    return new String(in.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
        }
        return in.position() > 0 && in.hasRemaining() ? new String(in.array(), 0, in.position(), StandardCharsets.UTF_8) : null;
    }

    /** Runs one command line in a fresh session; output and errors go to the reply. */
    byte[] execute(String line) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new java.io.ByteArrayInputStream(new byte[0]), out, out)) {
            Object result = session.execute(line);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
            out.flush();
            return status(0, "", buffer.toByteArray());
        } catch (Exception e) {
            Throwable cause = e;
            while (cause instanceof java.lang.reflect.InvocationTargetException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            out.flush();
            return status(2, String.valueOf(cause), buffer.toByteArray());
        }
    }

    private static byte[] status(int code, String error, byte[] output) {
        StringBuilder tail = new StringBuilder();
        if (output.length > 0 && output[output.length - 1] != '\n') {
            tail.append('\n');
        }
        tail.append(STATUS_PREFIX).append(code);
        if (!error.isEmpty()) {
            tail.append(' ').append(error.replace('\n', ' '));
        }
        tail.append('\n');
        byte[] t = tail.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[output.length + t.length];
        System.arraycopy(output, 0, all, 0, output.length);
        System.arraycopy(t, 0, all, output.length, t.length);
        return all;
    }

    @Deactivate
    void deactivate() {
        if (listener != null) {
            listener.shutdown();
            listener.close();
        }
    }
}
