package org.vgpu.core.shell;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Client of {@link ControlSocket}: runs one Gogo command line in a running vgpu. Plain JDK (no
 * OSGi, no JNA), so {@code ./vgpu attach} and tests can run it from the class path.
 * Usage: ControlClient SOCKET COMMAND...; prints the output, exits with the command's status.
 */
public final class ControlClient {

    /** Output and status of one command line. */
    public record Reply(int status, String output, String error) {
    }

    private ControlClient() {
    }

    public static Reply run(Path socket, String commandLine) throws IOException {
        if (commandLine.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("one command line (separate commands with ';')");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer req = ByteBuffer.wrap((commandLine + "\n").getBytes(StandardCharsets.UTF_8));
            while (req.hasRemaining()) {
                ch.write(req);
            }
            byte[] all = readAll(ch);
            String text = new String(all, StandardCharsets.UTF_8);
            int at = text.lastIndexOf(ControlSocket.STATUS_PREFIX);
            if (at < 0 || (at > 0 && text.charAt(at - 1) != '\n')) {
                throw new IOException("control socket closed without a status line: " + text);
            }
            String statusLine = text.substring(at + ControlSocket.STATUS_PREFIX.length()).strip();
            int space = statusLine.indexOf(' ');
            int status = Integer.parseInt(space < 0 ? statusLine : statusLine.substring(0, space));
            return new Reply(status, text.substring(0, at), space < 0 ? "" : statusLine.substring(space + 1));
        }
    }

    private static byte[] readAll(SocketChannel ch) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (ch.read(buf) >= 0) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return out.toByteArray();
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ControlClient SOCKET COMMAND...");
            System.exit(64);
        }
        try {
            Reply r = run(Path.of(args[0]), String.join(" ", java.util.Arrays.copyOfRange(args, 1, args.length)));
            System.out.print(r.output());
            if (r.status() != 0) {
                System.err.println("vgpu: " + r.error());
            }
            System.exit(r.status());
        } catch (IOException e) {
            System.err.println("vgpu: cannot reach " + args[0] + ": " + e.getMessage());
            System.exit(69);
        }
    }
}
