package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw socket speaking just enough RFB to drive the server into each case under test (well-formed
 * or not). Every read has a timeout: a test waits bounded, never forever.
 */
final class RawRfbClient implements AutoCloseable {
    final Socket socket = new Socket();
    final DataInputStream in;
    final DataOutputStream out;
    int width, height;

    RawRfbClient(VncServer server) throws IOException {
        this(server, 0);
    }

    /** With a small receive buffer, to play a client that does not keep up. */
    RawRfbClient(VncServer server, int receiveBuffer) throws IOException {
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(server.address().address(), 5000);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    static RawRfbClient connect(VncServer server) throws IOException {
        return new RawRfbClient(server);
    }

    /** Version 3.8, security None, ClientInit; reads ServerInit. */
    RawRfbClient handshake() throws IOException {
        byte[] v = new byte[12];
        in.readFully(v);
        assertEquals("RFB 003.008\n", new String(v, StandardCharsets.US_ASCII));
        out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, in.readUnsignedByte(), "number of security types");
        assertEquals(VncClient.SECURITY_NONE, in.readUnsignedByte());
        out.write(VncClient.SECURITY_NONE);
        assertEquals(0, in.readInt(), "SecurityResult");
        out.write(1); // shared
        serverInit();
        return this;
    }

    void serverInit() throws IOException {
        width = in.readUnsignedShort();
        height = in.readUnsignedShort();
        byte[] pf = new byte[16];
        in.readFully(pf);
        assertArrayEquals(new byte[] {32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0}, pf, "server pixel format");
        byte[] name = new byte[in.readInt()];
        in.readFully(name);
    }

    void setEncodings(int... encodings) throws IOException {
        out.write(2);
        out.write(0);
        out.writeShort(encodings.length);
        for (int e : encodings) {
            out.writeInt(e);
        }
    }

    void setPixelFormat(int bpp, int depth, boolean bigEndian, int rMax, int gMax, int bMax, int rShift, int gShift, int bShift) throws IOException {
        out.write(new byte[] {0, 0, 0, 0, (byte) bpp, (byte) depth, (byte) (bigEndian ? 1 : 0), 1});
        out.writeShort(rMax);
        out.writeShort(gMax);
        out.writeShort(bMax);
        out.write(new byte[] {(byte) rShift, (byte) gShift, (byte) bShift, 0, 0, 0});
    }

    void request(boolean incremental, int x, int y, int w, int h) throws IOException {
        out.write(3);
        out.write(incremental ? 1 : 0);
        out.writeShort(x);
        out.writeShort(y);
        out.writeShort(w);
        out.writeShort(h);
    }

    void key(int keysym, boolean down) throws IOException {
        out.write(new byte[] {4, (byte) (down ? 1 : 0), 0, 0});
        out.writeInt(keysym);
    }

    void pointer(int mask, int x, int y) throws IOException {
        out.write(5);
        out.write(mask);
        out.writeShort(x);
        out.writeShort(y);
    }

    /** One raw rect of a FramebufferUpdate, as read. */
    record Rect(int x, int y, int w, int h, int encoding, byte[] data) {
    }

    /**
     * Reads one FramebufferUpdate whose rects are raw (bytesPerPixel each), DesktopSize or Cursor
     * (pixels + mask, cursorBpp each).
     */
    java.util.List<Rect> readUpdate(int bytesPerPixel) throws IOException {
        assertEquals(0, in.readUnsignedByte(), "FramebufferUpdate");
        in.readUnsignedByte();
        int n = in.readUnsignedShort();
        java.util.List<Rect> rects = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int x = in.readUnsignedShort(), y = in.readUnsignedShort(), w = in.readUnsignedShort(), h = in.readUnsignedShort();
            int enc = in.readInt();
            byte[] data = switch (enc) {
                case Encodings.RAW -> new byte[w * h * bytesPerPixel];
                case Encodings.DESKTOP_SIZE, Encodings.POINTER_POS -> new byte[0];
                case Encodings.CURSOR -> new byte[w * h * bytesPerPixel + (w + 7) / 8 * h];
                case Encodings.ZRLE -> new byte[in.readInt()];
                default -> throw new AssertionError("unexpected encoding " + enc);
            };
            in.readFully(data);
            rects.add(new Rect(x, y, w, h, enc, data));
            if (enc == Encodings.DESKTOP_SIZE) {
                width = w;
                height = h;
            }
        }
        return rects;
    }

    /** Asserts the server closes this connection (EOF or reset) within the read timeout. */
    void assertDisconnected() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return;
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            return;
        } catch (SocketTimeoutException e) {
            fail("the server did not disconnect the client within 5 s");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static InetSocketAddress tcp(VncServer s) {
        return (InetSocketAddress) s.address().address();
    }
}
