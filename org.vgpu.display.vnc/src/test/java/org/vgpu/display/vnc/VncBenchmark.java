package org.vgpu.display.vnc;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;

import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.gpu.spi.ScanoutPixels;

/**
 * Prints figures, not a test: update rate and bytes per update over loopback for a 1280x800 scanout,
 * redrawn fully and partially (a 320x64 band, as a text line or a small window), raw vs ZRLE, side by
 * side. In lock step (flush, request, read the whole update) so every update is one frame. The client
 * parses every rect header and skips its data; it decodes nothing, so the rate is the server's
 * (copy, translate, encode, write) plus loopback.
 * Run: cnf/scripts/bench, or java -cp ... org.vgpu.display.vnc.VncBenchmark [frames]
 */
public final class VncBenchmark {
    static final int W = 1280, H = 800;

    /** A scanout of B8G8R8X8 pixels, one of a few pre-drawn frames, read by bulk row copies as the device's own. */
    static final class Pixels implements ScanoutPixels {
        final ByteBuffer[] frames = new ByteBuffer[4];
        ByteBuffer current;

        Pixels() {
            for (int n = 0; n < frames.length; n++) {
                frames[n] = draw(n * 3);
            }
            current = frames[0];
        }

        @Override
        public int width() {
            return W;
        }

        @Override
        public int height() {
            return H;
        }

        @Override
        public PixelFormat format() {
            return PixelFormat.B8G8R8X8;
        }

        @Override
        public void read(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
            for (int r = 0; r < h; r++) {
                dst.put(dstIndex + r * dstStride, current, ((y + r) * W + x) * 4, w * 4);
            }
        }

        /** A desktop-like frame: flat background, a window with "text" (1-px strokes), a gradient panel; n shifts it. */
        static ByteBuffer draw(int n) {
            ByteBuffer b = ByteBuffer.allocate(W * H * 4);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int p = 0x2d4f6c;
                    if (x > 100 && x < 900 && y > 80 && y < 600) {
                        p = 0xf0f0f0;
                        if (y % 16 < 10 && (x * 7 + y * 3 + n) % 11 < 3) {
                            p = 0x202020; // glyph strokes
                        }
                    }
                    if (x > 950 && y > 100 && y < 700) {
                        p = (x + n) & 0xff | (y & 0xff) << 8 | ((x + y) >> 2 & 0xff) << 16; // gradient
                    }
                    int o = (y * W + x) * 4;
                    b.put(o, (byte) p).put(o + 1, (byte) (p >> 8)).put(o + 2, (byte) (p >> 16)).put(o + 3, (byte) 0);
                }
            }
            return b;
        }
    }

    /** Reads one FramebufferUpdate; returns its size in bytes. */
    private static long skipUpdate(DataInputStream in) throws IOException {
        if (in.readUnsignedByte() != 0) {
            throw new IOException("not a FramebufferUpdate");
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

    /** Updates per second end to end; bytes per update; milliseconds the device's damaged() call took per frame. */
    record Result(double updatesPerSecond, double bytesPerUpdate, double deviceMillis) {
    }

    static Result run(Pixels px, int encoding, boolean full, int frames) throws Exception {
        px.current = px.frames[0];
        VncSettings s = new VncSettings(ListenAddress.parse("127.0.0.1:0"), "bench", 0, "", 4, 4096, new int[] {encoding}, 10_000);
        try (VncServer server = new VncServer(s, new InputRouter()); Socket sock = new Socket()) {
            server.scanoutConfigured("bench", 0, W, H);
            server.damaged("bench", 0, 0, 0, W, H, px);
            sock.connect(server.address().address());
            sock.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(sock.getInputStream(), 1 << 16));
            DataOutputStream out = new DataOutputStream(sock.getOutputStream());
            in.readFully(new byte[12]);
            out.write("RFB 003.008\n".getBytes());
            in.readFully(new byte[2]);
            out.write(1);
            in.readInt();
            out.write(1);
            in.readFully(new byte[20]);
            in.skipNBytes(in.readInt());
            out.write(new byte[] {2, 0, 0, 1});
            out.writeInt(encoding);
            request(out, false);
            skipUpdate(in);
            int warmup = frames / 5;
            long bytes = 0, t0 = 0, device = 0;
            for (int f = 0; f < warmup + frames; f++) {
                if (f == warmup) {
                    bytes = 0;
                    device = 0;
                    t0 = System.nanoTime();
                }
                long d0 = System.nanoTime();
                px.current = px.frames[(f + 1) % px.frames.length];
                if (full) {
                    server.damaged("bench", 0, 0, 0, W, H, px);
                } else {
                    server.damaged("bench", 0, 200 + f % 8 * 40, 300, 320, 64, px);
                }
                device += System.nanoTime() - d0;
                request(out, true);
                bytes += skipUpdate(in);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Result(frames / seconds, (double) bytes / frames, device / 1e6 / frames);
        }
    }

    private static void request(DataOutputStream out, boolean incremental) throws IOException {
        out.write(new byte[] {3, (byte) (incremental ? 1 : 0), 0, 0, 0, 0, (byte) (W >> 8), (byte) W, (byte) (H >> 8), (byte) H});
    }

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        System.out.printf("VNC 1280x800 over loopback, %d updates per row (lock step; includes the server's copy of the damage)%n", frames);
        System.out.printf("%-24s %10s %14s %10s %14s %16s%n", "", "raw upd/s", "raw bytes/upd", "zrle upd/s", "zrle bytes/upd",
                "damaged() ms");
        java.util.logging.Logger.getLogger("org.vgpu.display.vnc").setLevel(java.util.logging.Level.WARNING);
        Pixels px = new Pixels();
        for (boolean full : new boolean[] {true, false}) {
            Result raw = run(px, Encodings.RAW, full, frames);
            Result zrle = run(px, Encodings.ZRLE, full, frames);
            System.out.printf("%-24s %10.1f %14.0f %10.1f %14.0f %16.3f%n", full ? "full redraw 1280x800" : "partial redraw 320x64",
                    raw.updatesPerSecond(), raw.bytesPerUpdate(), zrle.updatesPerSecond(), zrle.bytesPerUpdate(),
                    (raw.deviceMillis() + zrle.deviceMillis()) / 2);
        }
    }
}
