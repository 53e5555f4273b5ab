package org.vgpu.display.vnc;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.Socket;

/**
 * The benchmarks' RFB 3.8 client: security None, one encoding, the server's pixel format; it asks
 * for updates and reads each one whole, parsing every rectangle header and skipping its data
 * (decoding nothing), so what it measures is the server and the connection. Any RFB server: vgpu's
 * or QEMU's -vnc.
 */
final class RfbUpdateReader implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    final int width, height;

    private RfbUpdateReader(Socket socket, int encoding) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        out = new DataOutputStream(socket.getOutputStream());
        in.readFully(new byte[12]); // ProtocolVersion
        out.write("RFB 003.008\n".getBytes());
        byte[] types = new byte[in.readUnsignedByte()];
        in.readFully(types);
        out.write(1); // None
        if (in.readInt() != 0) {
            throw new IOException("security None refused");
        }
        out.write(1); // ClientInit: shared
        width = in.readUnsignedShort();
        height = in.readUnsignedShort();
        in.readFully(new byte[16]); // pixel format
        in.skipNBytes(in.readInt()); // name
        out.write(new byte[] {2, 0, 0, 1});
        out.writeInt(encoding);
    }

    static RfbUpdateReader connect(SocketAddress address, int encoding) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(address, 10_000);
            return new RfbUpdateReader(s, encoding);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** FramebufferUpdateRequest for the whole screen. */
    void request(boolean incremental) throws IOException {
        out.write(new byte[] {3, (byte) (incremental ? 1 : 0), 0, 0, 0, 0, (byte) (width >> 8), (byte) width, (byte) (height >> 8),
                (byte) height});
    }

    /** Reads one FramebufferUpdate (other server messages are skipped); returns its size in bytes. */
    long readUpdate() throws IOException {
        while (true) {
            int type = in.readUnsignedByte();
            if (type == 0) {
                break;
            }
            if (type == 2) { // Bell
                continue;
            }
            if (type == 3) { // ServerCutText
                in.skipNBytes(3);
                in.skipNBytes(in.readInt() & 0xffffffffL);
                continue;
            }
            throw new IOException("unexpected server message " + type);
        }
        in.readUnsignedByte();
        int n = in.readUnsignedShort();
        long bytes = 4 + 12L * n;
        for (int i = 0; i < n; i++) {
            in.readUnsignedShort();
            in.readUnsignedShort();
            int w = in.readUnsignedShort(), h = in.readUnsignedShort();
            int enc = in.readInt();
            long len = switch (enc) {
                case Encodings.RAW -> (long) w * h * 4;
                case Encodings.ZRLE -> in.readInt() & 0xffffffffL;
                default -> 0;
            };
            in.skipNBytes(len);
            bytes += len + (enc == Encodings.ZRLE ? 4 : 0);
        }
        return bytes;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
