package org.vgpu.gpu.bench;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.RenamedCopyBackend;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ScanoutPixels;
import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.sys.NativeException;

/**
 * TRANSFER_TO_HOST_2D of a 1920x1080 B8G8R8X8 frame whose backing is 2025 scattered 4 KiB guest
 * pages of a memfd region behind the real accessor (GuestMemoryMap), through decoder and state, against a baseline of one contiguous 8 MB bulk copy between
 * direct buffers; then RESOURCE_FLUSH (64x64) commands per second. Prints medians. Not a unit test.
 * Two page layouts are measured: shuffled pages of an 8 MB range (the baseline's memory footprint)
 * and every other page of 16 MB, whose doubled footprint costs cache capacity rather than code.
 *
 * Run (after mvn -pl org.vgpu.core test-compile):
 *   java -cp org.vgpu.core/target/classes:org.vgpu.core/target/test-classes org.vgpu.gpu.bench.TransferBenchmark
 */
public final class TransferBenchmark {
    private static final int W = 1920;
    private static final int H = 1080;
    private static final int ROUNDS = 9;

    public static void main(String[] args) {
        int frameBytes = W * H * 4;
        int pageCount = frameBytes / GpuHarness.PAGE; // 2025
        // The real accessor over a memfd region, as a vhost-user or micro-VM guest's RAM is.
        GuestMemoryMap ram = new GuestMemoryMap();
        MemoryRegion region;
        try {
            region = MemoryRegion.anonymous(GpuHarness.RAM_BASE, 24 << 20);
            ram.addRegion(region);
        } catch (NativeException e) {
            throw new IllegalStateException(e);
        }
        GpuHarness g = new GpuHarness(new GpuSettings("bench", 1, W, H, 256L << 20), ram, 24 << 20);

        // Layout A: the 2025 pages of an 8 MB guest range in shuffled order (same footprint as the baseline).
        List<Long> shuffled = new ArrayList<>();
        for (int i = 0; i < pageCount; i++) {
            shuffled.add(GpuHarness.RAM_BASE + (long) i * GpuHarness.PAGE);
        }
        Collections.shuffle(shuffled, new Random(1));
        long[] pagesA = shuffled.stream().mapToLong(Long::longValue).toArray();
        check(g.create(1, FORMAT_B8G8R8X8, W, H));
        check(g.attach(1, pagesA, GpuHarness.pageLengths(pageCount)));
        // Layout B: 2025 pages, no two adjacent, spread over 16 MB (every other page, shuffled).
        long[] pagesB = g.createWithBacking(2, FORMAT_B8G8R8X8, W, H);
        System.out.printf("frame %dx%d B8G8R8X8 = %d bytes, backing %d scattered 4 KiB pages%n", W, H, frameBytes, pagesB.length);
        for (int i = 0; i < pageCount; i++) {
            g.putBacking(pagesA, (long) i * GpuHarness.PAGE, (byte) i);
            g.putBacking(pagesB, (long) i * GpuHarness.PAGE, (byte) i);
        }

        // Baseline: one contiguous bulk copy of the same bytes between direct buffers.
        ByteBuffer src = ByteBuffer.allocateDirect(frameBytes);
        ByteBuffer dst = ByteBuffer.allocateDirect(frameBytes);
        Runnable baselineCopy = () -> dst.put(0, src, 0, frameBytes);

        // TRANSFER_TO_HOST_2D through the decoder: request prepared once, buffers reused.
        long alloc = allocatedPerCall(transfer(g, 1), 200);
        // Reference: the same page-by-page copy of layout A through the accessor, without decoder or state.
        Runnable accessorLoop = () -> {
            try {
                for (int i = 0; i < pageCount; i++) {
                    ram.read(pagesA[i], dst, i * GpuHarness.PAGE, GpuHarness.PAGE);
                }
            } catch (GuestMemoryException e) {
                throw new IllegalStateException(e);
            }
        };

        // The limit of the layout: the same 2025 page copies straight from the mapping, no accessor,
        // in the shuffled order and in address order (what a page's copy costs by itself).
        ByteBuffer mapped = new com.sun.jna.Pointer(region.hostAddress()).getByteBuffer(0, 24 << 20);
        long[] inOrder = pagesA.clone();
        Arrays.sort(inOrder);
        // All in alternating rounds, so the machine's drift (other tenants' memory traffic) falls on each alike.
        double[] m = interleavedMedians(frameBytes, 20, baselineCopy, transfer(g, 1), accessorLoop,
                () -> barePageLoop(mapped, pagesA, dst), () -> barePageLoop(mapped, inOrder, dst), transfer(g, 2));
        double baseline = m[0], a = m[1], raw = m[2], bareShuffled = m[3], bareInOrder = m[4], b = m[5];

        System.out.printf("baseline contiguous bulk copy          : %6.2f GB/s%n", baseline);
        System.out.printf("TRANSFER, pages shuffled within 8 MB   : %6.2f GB/s = %5.1f %% of baseline (target >= 80 %%)%n", a, 100 * a / baseline);
        System.out.printf("  page loop, same layout, no decoder     : %6.2f GB/s = %5.1f %% of baseline%n", raw, 100 * raw / baseline);
        System.out.printf("  bare page loop, no accessor, shuffled  : %6.2f GB/s = %5.1f %% of baseline (the layout's limit)%n", bareShuffled,
                100 * bareShuffled / baseline);
        System.out.printf("  bare page loop, no accessor, in order  : %6.2f GB/s = %5.1f %% of baseline%n", bareInOrder, 100 * bareInOrder / baseline);
        System.out.printf("TRANSFER, every other page over 16 MB  : %6.2f GB/s = %5.1f %% of baseline%n", b, 100 * b / baseline);
        System.out.printf("  (medians of %d rounds; %d bytes allocated per TRANSFER command)%n", ROUNDS, alloc);

        // RESOURCE_FLUSH of a 64x64 rect on a displayed resource, with one (no-op) sink listening.
        g.state.addSink(new NullSink());
        check(g.setScanout(0, 1, 0, 0, W, H));
        g.header(CMD_RESOURCE_FLUSH).putInt(24, 100).putInt(28, 100).putInt(32, 64).putInt(36, 64).putInt(40, 1);
        int batch = 200_000;
        Runnable flushes = () -> {
            for (int i = 0; i < batch; i++) {
                g.decoder.handle(g.req, REQ_RESOURCE_FLUSH, g.resp);
            }
        };
        double perSecond = median(flushes, batch, 5) * 1e9; // "bytes"/ns with batch as the unit = commands/ns
        long flushAlloc = allocatedPerCall(() -> g.decoder.handle(g.req, REQ_RESOURCE_FLUSH, g.resp), 100_000);
        System.out.printf("RESOURCE_FLUSH 64x64                   : %,.0f commands/s (median of %d rounds), %d bytes allocated per command%n",
                perSecond, ROUNDS, flushAlloc);

        // Live migration of the displayed 1920x1080 resource between two backends, back and forth.
        ResourceBackend copy = g.selector.backends().get(0);
        RenamedCopyBackend other = new RenamedCopyBackend("other");
        g.selector.add(other, -200);
        long[] nanos = new long[ROUNDS * 2];
        try {
            for (int i = 0; i < nanos.length; i++) {
                long t0 = System.nanoTime();
                g.state.migrate(1, i % 2 == 0 ? other : copy, "benchmark");
                nanos[i] = System.nanoTime() - t0;
            }
        } catch (BackendException e) {
            throw new IllegalStateException(e);
        }
        java.util.Arrays.sort(nanos);
        System.out.printf("migrate 1920x1080 between backends     : %.2f ms median (export + import of %d bytes, backing re-attached)%n",
                nanos[nanos.length / 2] / 1e6, frameBytes);
    }

    /** Copies 4 KiB pages at the given guest addresses from the region's mapping into dst, one after another. */
    private static void barePageLoop(ByteBuffer mapped, long[] pages, ByteBuffer dst) {
        for (int i = 0; i < pages.length; i++) {
            dst.put(i * GpuHarness.PAGE, mapped, (int) (pages[i] - GpuHarness.RAM_BASE), GpuHarness.PAGE);
        }
    }

    private static Runnable transfer(GpuHarness g, int resourceId) {
        return () -> {
            g.header(CMD_TRANSFER_TO_HOST_2D);
            g.writeTransferBody(resourceId, 0, 0, W, H, 0);
            if (g.decoder.handle(g.req, REQ_TRANSFER_TO_HOST_2D, g.resp) != RESP_NODATA_SIZE || g.resp.getInt(0) != RESP_OK_NODATA) {
                throw new AssertionError("transfer failed");
            }
        };
    }

    private static void check(int response) {
        if (response != RESP_OK_NODATA) {
            throw new AssertionError(responseName(response));
        }
    }

    /** Median throughput in units per ns (bytes/ns = GB/s) over ROUNDS rounds of enough calls to last ~200 ms. */
    /** Medians of ROUNDS rounds of each op (about 0.2 s each), the ops taking turns within every round. */
    private static double[] interleavedMedians(long unitsPerCall, int warmup, Runnable... ops) {
        int[] calls = new int[ops.length];
        for (int k = 0; k < ops.length; k++) {
            for (int i = 0; i < warmup; i++) {
                ops[k].run();
            }
            long t0 = System.nanoTime();
            ops[k].run();
            calls[k] = (int) Math.max(3, 200_000_000L / Math.max(1, System.nanoTime() - t0));
        }
        double[][] rates = new double[ops.length][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int k = 0; k < ops.length; k++) {
                long start = System.nanoTime();
                for (int i = 0; i < calls[k]; i++) {
                    ops[k].run();
                }
                rates[k][r] = (double) unitsPerCall * calls[k] / (System.nanoTime() - start);
            }
        }
        double[] medians = new double[ops.length];
        for (int k = 0; k < ops.length; k++) {
            Arrays.sort(rates[k]);
            medians[k] = rates[k][ROUNDS / 2];
        }
        return medians;
    }

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
