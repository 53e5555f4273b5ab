package org.vgpu.display.vnc;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;

import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;

/**
 * Prints figures, not a test: update rate and bytes per update over loopback for a 1280x800 scanout,
 * redrawn fully and partially (a 320x64 band, as a text line or a small window), raw vs ZRLE, side by
 * side. The updates come from the device: the guest writes a frame into its resource's scattered
 * backing pages, then TRANSFER_TO_HOST_2D + RESOURCE_FLUSH go through the GPU's command decoder and
 * state (GpuHarness), whose flush calls the server as its display sink. In lock step (flush, request,
 * read the whole update) so every update is one frame. The guest's own writes are not timed; the
 * client parses every rect header and skips its data; it decodes nothing, so the rate is the device's
 * transfer and flush, the server's (copy, translate, encode, write) and loopback. The peer figure is
 * one memcpy of the frame (4 MB), the floor under any copy of it.
 * Run: cnf/scripts/bench vnc, or java -cp ... org.vgpu.display.vnc.VncBenchmark [frames]
 */
public final class VncBenchmark {
    static final int W = 1280, H = 800;
    static final String DEVICE = "bench";

    /** The guest: a GPU device over fake guest memory showing one 1280x800 B8G8R8X8 resource, and the frames it draws. */
    static final class Guest {
        static final int RESOURCE = 1;
        final GpuHarness gpu = new GpuHarness(GpuSettings.defaults(DEVICE), 64 << 20);
        final long[] pages = gpu.createWithBacking(RESOURCE, FORMAT_B8G8R8X8, W, H);
        final ByteBuffer[] frames = new ByteBuffer[4];

        Guest() {
            for (int n = 0; n < frames.length; n++) {
                frames[n] = desktop(n * 3);
            }
            check(gpu.setScanout(0, RESOURCE, 0, 0, W, H));
            draw(0, 0, 0, W, H);
            transferAndFlush(0, 0, W, H);
        }

        /** The guest's writes into its backing: the rect of frame n (row by row, across the scattered pages). */
        void draw(int n, int x, int y, int w, int h) {
            ByteBuffer f = frames[n % frames.length];
            for (int r = y; r < y + h; r++) {
                int o = (r * W + x) * 4;
                gpu.putBacking(pages, o, f, o, w * 4);
            }
        }

        /** The device's part: TRANSFER_TO_HOST_2D of the rect, then RESOURCE_FLUSH (which runs the sinks). */
        void transferAndFlush(int x, int y, int w, int h) {
            check(gpu.transfer(RESOURCE, x, y, w, h, ((long) y * W + x) * 4));
            check(gpu.flush(RESOURCE, x, y, w, h));
        }

        private static void check(int response) {
            if (response != RESP_OK_NODATA) {
                throw new IllegalStateException("the device answered " + responseName(response));
            }
        }

        /** A desktop-like frame, B, G, R, X bytes: flat background, a window with "text" (1-px strokes), a gradient panel; n shifts it. */
        static ByteBuffer desktop(int n) {
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

    /** Updates per second end to end; bytes per update; milliseconds of TRANSFER_TO_HOST_2D + RESOURCE_FLUSH per frame. */
    record Result(double updatesPerSecond, double bytesPerUpdate, double deviceMillis) {
    }

    static Result run(Guest guest, int encoding, boolean full, int frames) throws Exception {
        guest.draw(0, 0, 0, W, H);
        guest.transferAndFlush(0, 0, W, H);
        VncSettings s = new VncSettings(ListenAddress.parse("127.0.0.1:0"), DEVICE, 0, "", 4, 4096, new int[] {encoding}, 10_000);
        try (VncServer server = new VncServer(s, new InputRouter())) {
            guest.gpu.state.addSink(server); // the scanout's mode and frame, as to any sink added late
            try (RfbUpdateReader client = RfbUpdateReader.connect(server.address().address(), encoding)) {
                client.request(false);
                client.readUpdate();
                int warmup = frames / 5;
                long bytes = 0, elapsed = 0, device = 0;
                for (int f = 0; f < warmup + frames; f++) {
                    if (f == warmup) {
                        bytes = 0;
                        device = 0;
                        elapsed = 0;
                    }
                    int x = full ? 0 : 200 + f % 8 * 40, y = full ? 0 : 300, w = full ? W : 320, h = full ? H : 64;
                    guest.draw(f + 1, x, y, w, h); // the guest's drawing: not the device's time
                    long t0 = System.nanoTime();
                    guest.transferAndFlush(x, y, w, h);
                    device += System.nanoTime() - t0;
                    client.request(true);
                    bytes += client.readUpdate();
                    elapsed += System.nanoTime() - t0;
                }
                return new Result(frames / (elapsed / 1e9), (double) bytes / frames, device / 1e6 / frames);
            } finally {
                guest.gpu.state.removeSink(server);
            }
        }
    }

    /** The peer: one bulk copy of a 1280x800x4 frame, ms (best of a few rounds, so the figure is the copy, not a page fault). */
    static double memcpyMillis() {
        ByteBuffer src = Guest.desktop(0), dst = ByteBuffer.allocate(W * H * 4);
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                dst.put(0, src, 0, W * H * 4);
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e6 / 50);
        }
        return best;
    }

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        System.out.printf("VNC 1280x800 over loopback, updates from the device's TRANSFER_TO_HOST_2D + RESOURCE_FLUSH, %d per row "
                + "(lock step; device ms: transfer + flush, the server's copy of the damage included)%n", frames);
        System.out.printf("%-24s %10s %14s %10s %14s %12s%n", "", "raw upd/s", "raw bytes/upd", "zrle upd/s", "zrle bytes/upd",
                "device ms");
        java.util.logging.Logger.getLogger("org.vgpu.display.vnc").setLevel(java.util.logging.Level.WARNING);
        Guest guest = new Guest();
        for (boolean full : new boolean[] {true, false}) {
            Result raw = run(guest, Encodings.RAW, full, frames);
            Result zrle = run(guest, Encodings.ZRLE, full, frames);
            System.out.printf("%-24s %10.1f %14.0f %10.1f %14.0f %12.3f%n", full ? "full redraw 1280x800" : "partial redraw 320x64",
                    raw.updatesPerSecond(), raw.bytesPerUpdate(), zrle.updatesPerSecond(), zrle.bytesPerUpdate(),
                    (raw.deviceMillis() + zrle.deviceMillis()) / 2);
        }
        double copy = memcpyMillis();
        System.out.printf("peer: memcpy of one 1280x800x4 frame %.3f ms (%.0f frames/s)%n", copy, 1000 / copy);
    }
}
