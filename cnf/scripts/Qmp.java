import java.io.BufferedReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Sends QMP commands to QEMU (run as a single-file program: java cnf/scripts/Qmp.java SOCKET CMD...).
 * Used by ./vgpu demo, where no QMP client (socat, python) can be assumed on the machine.
 */
public class Qmp {
    public static void main(String[] args) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(args[0]));
            BufferedReader in = new BufferedReader(Channels.newReader(ch, StandardCharsets.UTF_8));
            in.readLine();
            send(ch, in, "{\"execute\":\"qmp_capabilities\"}");
            for (int i = 1; i < args.length; i++) {
                String reply = send(ch, in, args[i]);
                if (!reply.contains("\"return\"")) {
                    System.err.println(reply);
                    System.exit(1);
                }
            }
        }
    }

    static String send(SocketChannel ch, BufferedReader in, String command) throws Exception {
        ByteBuffer b = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
        String line;
        while ((line = in.readLine()) != null) {
            if (line.contains("\"return\"") || line.contains("\"error\"")) {
                return line;
            }
        }
        throw new IllegalStateException("QMP closed");
    }
}
