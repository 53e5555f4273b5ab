package org.vgpu.gpu.bench;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;

import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ScanoutPixels;

/**
 * TRANSFER_TO_HOST_2D of a 1920x1080 B8G8R8X8 frame whose backing is 2025 scattered 4 KiB guest
 * pages, through decoder and state, against a baseline of one contiguous 8 MB bulk copy between
 * direct buffers; then RESOURCE_FLUSH (64x64) commands per second. Prints medians. Not a unit test.
 *
 * Run (after mvn -pl org.vgpu.core test-compile):
 *   java -cp org.vgpu.core/target/classes:org.vgpu.core/target/test-classes org.vgpu.gpu.bench.TransferBenchmark
 */
public final class TransferBenchmark {
    private static final int W = 1920;
    private static final int H = 1080;
    private static final int ROUNDS = 9;

    public static void main(String[] args) {
        GpuHarness g = new GpuHarness(new GpuSettings("bench", 1, W, H, 256L << 20), 24 << 20);
        long[] pages = g.createWithBacking(1, FORMAT_B8G8R8X8, W, H);
        int frameBytes = W * H * 4;
        System.out.printf("frame %dx%d B8G8R8X8 = %d bytes, backing %d scattered 4 KiB pages%n", W, H, frameBytes, pages.length);
        for (int i = 0; i < pages.length; i++) {
            g.putBacking(pages, (long) i * GpuHarness.PAGE, (byte) i);
        }

        // Baseline: one contiguous bulk copy of the same bytes between direct buffers.
        ByteBuffer src = ByteBuffer.allocateDirect(frameBytes);
        ByteBuffer dst = ByteBuffer.allocateDirect(frameBytes);
        double baseline = median(() -> dst.put(0, src, 0, frameBytes), frameBytes, 20);

        // TRANSFER_TO_HOST_2D through the decoder: request prepared once, buffers reused.
        g.header(CMD_TRANSFER_TO_HOST_2D);
        g.writeTransferBody(1, 0, 0, W, H, 0);
        Runnable transfer = () -> {
            if (g.decoder.handle(g.req, REQ_TRANSFER_TO_HOST_2D, g.resp) != RESP_NODATA_SIZE || g.resp.getInt(0) != RESP_OK_NODATA) {
                throw new AssertionError("transfer failed");
            }
        };
        double gpu = median(transfer, frameBytes, 20);
        long alloc = allocatedPerCall(transfer, 200);

        System.out.printf("baseline contiguous bulk copy : %6.2f GB/s (median of %d rounds)%n", baseline, ROUNDS);
        System.out.printf("TRANSFER_TO_HOST_2D scattered : %6.2f GB/s (median of %d rounds), %d bytes allocated per command%n", gpu, ROUNDS, alloc);
        System.out.printf("ratio                         : %6.1f %% of baseline (target >= 80 %%)%n", 100 * gpu / baseline);

        // RESOURCE_FLUSH of a 64x64 rect on a displayed resource, with one (no-op) sink listening.
        g.state.addSink(new NullSink());
        if (g.setScanout(0, 1, 0, 0, W, H) != RESP_OK_NODATA) {
            throw new AssertionError("set scanout failed");
        }
        g.header(CMD_RESOURCE_FLUSH).putInt(24, 100).putInt(28, 100).putInt(32, 64).putInt(36, 64).putInt(40, 1);
        int batch = 200_000;
        Runnable flushes = () -> {
            for (int i = 0; i < batch; i++) {
                g.decoder.handle(g.req, REQ_RESOURCE_FLUSH, g.resp);
            }
        };
        double perSecond = median(flushes, batch, 5) * 1e9; // "bytes"/ns with batch as the unit = commands/ns
        long flushAlloc = allocatedPerCall(() -> g.decoder.handle(g.req, REQ_RESOURCE_FLUSH, g.resp), 100_000);
        System.out.printf("RESOURCE_FLUSH 64x64          : %,.0f commands/s (median of %d rounds), %d bytes allocated per command%n",
                perSecond, ROUNDS, flushAlloc);
    }

    /** Median throughput in units per ns (bytes/ns = GB/s) over ROUNDS rounds of enough calls to last ~200 ms. */
    private static double median(Runnable op, long unitsPerCall, int warmup) {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        long t0 = System.nanoTime();
        op.run();
        long one = Math.max(1, System.nanoTime() - t0);
        int calls = (int) Math.max(3, 200_000_000L / one);
        double[] rates = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                op.run();
            }
            rates[r] = (double) unitsPerCall * calls / (System.nanoTime() - start);
        }
        Arrays.sort(rates);
        return rates[ROUNDS / 2];
    }

    private static long allocatedPerCall(Runnable op, int calls) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int i = 0; i < calls; i++) {
            op.run();
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < calls; i++) {
            op.run();
        }
        return (mx.getThreadAllocatedBytes(tid) - before) / calls;
    }

    private static final class NullSink implements DisplaySink {
        long damage;

        public void scanoutConfigured(String device, int scanoutId, int width, int height) { }

        public void scanoutDisabled(String device, int scanoutId) { }

        public void damaged(String device, int scanoutId, int x, int y, int width, int height, ScanoutPixels pixels) {
            damage += (long) width * height;
        }

        public void cursorImage(String device, int scanoutId, ByteBuffer argb, int hotX, int hotY) { }

        public void cursorMoved(String device, int scanoutId, int x, int y) { }

        public void cursorHidden(String device, int scanoutId) { }
    }
}
