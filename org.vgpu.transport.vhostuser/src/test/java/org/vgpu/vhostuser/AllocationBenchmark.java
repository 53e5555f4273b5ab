package org.vgpu.vhostuser;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;

/**
 * Bytes the device allocates per command on its hot paths, end to end: vgpu's GPU device served
 * in this process over a real vhost-user socket (memfd guest RAM, kick and call eventfds, the
 * display channel) to the project's Java front end; the device's queue thread's allocation
 * counter is read before and after each workload (after a warm-up, so JIT compilation and first
 * use are not counted). Not a test.
 */
public final class AllocationBenchmark {
    static final int W = 1920, H = 1080;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vgpu-alloc-bench");
        Path sock = dir.resolve("gpu.sock");
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        DisplayChannels displays = new DisplayChannels();
        GpuDevice gpu = new GpuDevice(new GpuSettings("alloc", 1, W, H, 256L << 20), selector);
        gpu.addSink(displays);
        VhostUserServer server = new VhostUserServer(gpu, BackendFrameBenchmark.config(sock), displays);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (GpuDriver d = new GpuDriver(sock)) {
            d.createScatteredResource(10, 64, 64, false);
            d.createScatteredResource(1, W, H, true);
            d.fillScattered(W, H, 1);
            long worker = threadId("vgpu-queues-alloc");
            System.out.printf("%-52s %10s %16s%n", "workload (device queue thread)", "commands", "bytes/command");

            int flushes = 64 * 2000;
            flushes(d, 64 * 500); // warm-up
            long a0 = threads.getThreadAllocatedBytes(worker);
            flushes(d, flushes);
            long a1 = threads.getThreadAllocatedBytes(worker);
            System.out.printf("%-52s %10d %16.2f%n", "RESOURCE_FLUSH 64x64, off scanout, batches of 64", flushes, (a1 - a0) / (double) flushes);

            int roundTrips = 20_000;
            long r0 = threads.getThreadAllocatedBytes(worker);
            for (int i = 0; i < roundTrips; i++) {
                flush(d, 10, 64, 64);
                d.kick();
                d.awaitAll();
            }
            long r1 = threads.getThreadAllocatedBytes(worker);
            System.out.printf("%-52s %10d %16.2f%n", "RESOURCE_FLUSH one at a time (kick, interrupt)", roundTrips, (r1 - r0) / (double) roundTrips);

            int frames = 200;
            long seen = 0;
            for (int i = 0; i < 20; i++) {
                seen = BackendFrameBenchmark.frame(d, seen);
            }
            long f0 = threads.getThreadAllocatedBytes(worker);
            for (int i = 0; i < frames; i++) {
                seen = BackendFrameBenchmark.frame(d, seen);
            }
            long f1 = threads.getThreadAllocatedBytes(worker);
            System.out.printf("%-52s %10d %16.2f%n", "1920x1080 TRANSFER + FLUSH + UPDATE to the display", 2 * frames, (f1 - f0) / (2.0 * frames));
        } finally {
            server.deactivate();
            gpu.close();
        }
    }

    private static void flushes(GpuDriver d, int n) throws Exception {
        for (int i = 0; i < n; i += 64) {
            for (int j = 0; j < 64; j++) {
                flush(d, 10, 64, 64);
            }
            d.kick();
            d.awaitAll();
        }
    }

    private static void flush(GpuDriver d, int id, int w, int h) throws Exception {
        ByteBuffer b = d.begin(0x104, 0, 0);
        b.putInt(0).putInt(0).putInt(w).putInt(h).putInt(id).putInt(0);
        d.queue();
    }

    private static long threadId(String name) {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().equals(name)) {
                return e.getKey().getId();
            }
        }
        throw new IllegalStateException("no thread " + name);
    }
}
