package org.vgpu.vhostuser.bench;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vgpu.vhostuser.DisplayPeer;
import org.vgpu.vhostuser.GpuDriver;

/**
 * vgpu against QEMU's C vhost-user GPU back end, same workloads, same run: each back end runs as
 * its own process on its own socket, driven by {@link GpuDriver} (a Java VMM + guest driver).
 * Prints small-command throughput, one-command round-trip latency and full-frame
 * TRANSFER_TO_HOST_2D + RESOURCE_FLUSH with the UPDATE reaching the display socket.
 *
 * Run with cnf/scripts/bench.
 */
public final class VhostUserGpuBenchmark {
    static final String C_BACKEND = "/usr/lib/qemu/vhost-user-gpu";
    static final int BATCH = 64;
    static final int FLUSH = 0x104;
    static final int TRANSFER = 0x105;

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("vgpu-bench");
        Map<String, Map<String, Double>> results = new LinkedHashMap<>();
        results.put("vgpu", run("vgpu", List.of(root.resolve("vgpu").toString(), "--socket-path=" + work.resolve("vgpu.sock")), work.resolve("vgpu.sock"), work));
        results.put("vgpu-nopoll", run("vgpu-nopoll", List.of(root.resolve("vgpu").toString(), "-Dvgpu.socket.queue.poll.us=0",
                "--socket-path=" + work.resolve("vgpu-nopoll.sock")), work.resolve("vgpu-nopoll.sock"), work));
        results.put("qemu-c", run("qemu-c", List.of(C_BACKEND, "--socket-path=" + work.resolve("c.sock")), work.resolve("c.sock"), work));
        print(results);
    }

    static Map<String, Double> run(String name, List<String> command, Path socket, Path work) throws Exception {
        Process process = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                .redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
        try {
            awaitSocket(socket, process);
            Map<String, Double> r = new LinkedHashMap<>();
            try (GpuDriver driver = new GpuDriver(socket)) {
                smallCommands(driver, r);
                fullFrames(driver, process.pid(), r);
            }
            return r;
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    /**
     * Waits until the back end listens on socket: /proc/net/unix lists the path with
     * __SO_ACCEPTCON, so a connect() would now succeed. Probing without connecting matters for
     * QEMU's C back end, which serves one connection and exits when it closes.
     */
    static void awaitSocket(Path socket, Process process) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!listening(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("back end did not listen on " + socket);
            }
            Thread.sleep(2);
        }
    }

    static final int SO_ACCEPTCON = 0x10000;

    /** True if /proc/net/unix has a listening socket bound to path (fields: Num RefCount Protocol Flags Type St Inode Path). */
    static boolean listening(Path path) throws IOException {
        String wanted = path.toString();
        for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 8 && f[7].equals(wanted) && (Integer.parseInt(f[3], 16) & SO_ACCEPTCON) != 0) {
                return true;
            }
        }
        return false;
    }

    /** RESOURCE_FLUSH of a 64x64 resource that is on no scanout: the command path alone. */
    static void smallCommands(GpuDriver d, Map<String, Double> r) throws Exception {
        d.createScatteredResource(10, 64, 64, false);
        for (int i = 0; i < 300; i++) {
            batch(d);
        }
        int batches = 3000;
        long t0 = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            batch(d);
        }
        long t1 = System.nanoTime();
        r.put("commands/s (batches of " + BATCH + ")", batches * (double) BATCH / ((t1 - t0) / 1e9));

        long[] lat = roundTrips(d, 2000, 20_000);
        r.put("round trip p50 (us)", percentileMicros(lat, 50));
        r.put("round trip p99 (us)", percentileMicros(lat, 99));
    }

    /** n round trips of one RESOURCE_FLUSH of resource 10 (64x64, on no scanout) after warmup untimed ones; sorted, in ns. */
    static long[] roundTrips(GpuDriver d, int warmup, int n) throws Exception {
        long[] lat = new long[n];
        for (int i = 0; i < warmup; i++) {
            flush(d, 10, 64, 64);
            d.kick();
            d.awaitAll();
        }
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            flush(d, 10, 64, 64);
            d.kick();
            d.awaitAll();
            lat[i] = System.nanoTime() - s;
        }
        Arrays.sort(lat);
        return lat;
    }

    /** The percent-th percentile of sorted nanosecond samples, in microseconds. */
    static double percentileMicros(long[] sorted, int percent) {
        return sorted[(int) ((long) (sorted.length - 1) * percent / 100)] / 1e3;
    }

    static void batch(GpuDriver d) throws Exception {
        for (int i = 0; i < BATCH; i++) {
            flush(d, 10, 64, 64);
        }
        d.kick();
        d.awaitAll();
    }

    static void flush(GpuDriver d, int id, int w, int h) throws Exception {
        ByteBuffer b = d.begin(FLUSH, 0, 0);
        b.putInt(0).putInt(0).putInt(w).putInt(h).putInt(id).putInt(0);
        d.queue();
    }

    /** 1920x1080 on scanout 0: TRANSFER + FLUSH per frame, done when the UPDATE reached the display. */
    static void fullFrames(GpuDriver d, long pid, Map<String, Double> r) throws Exception {
        int w = 1920, h = 1080;
        d.display().updates(DisplayPeer.Updates.COPY_INTO_ONE); // one copy into a kept surface per UPDATE, as QEMU's display does
        d.createScatteredResource(1, w, h, true);
        d.fillScattered(w, h, 1);
        long seen = 0;
        for (int i = 0; i < 20; i++) {
            seen = frame(d, w, h, seen);
        }
        int frames = 200;
        long cpu0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            seen = frame(d, w, h, seen);
        }
        long t1 = System.nanoTime();
        long cpu1 = cpuTicks(pid);
        r.put("frames/s (1920x1080 transfer+flush+update)", frames / ((t1 - t0) / 1e9));
        r.put("back-end CPU ms per frame", (cpu1 - cpu0) * 10.0 / frames); // 100 ticks/s
    }

    static long frame(GpuDriver d, int w, int h, long seen) throws Exception {
        ByteBuffer b = d.begin(TRANSFER, 0, 0);
        b.putInt(0).putInt(0).putInt(w).putInt(h).putLong(0).putInt(1).putInt(0);
        d.queue();
        flush(d, 1, w, h);
        d.kick();
        d.awaitAll();
        return d.display().awaitUpdateAfter(seen, 10_000);
    }

    /** utime + stime of a process in clock ticks (/proc/PID/stat fields 14 and 15). */
    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static void print(Map<String, Map<String, Double>> results) {
        Map<String, Double> v = results.get("vgpu");
        Map<String, Double> n = results.get("vgpu-nopoll");
        Map<String, Double> c = results.get("qemu-c");
        System.out.printf("%-46s %14s %14s %8s %16s%n", "workload", "vgpu", "qemu C", "ratio", "vgpu no polling");
        for (String key : v.keySet()) {
            double a = v.get(key), b = c.get(key);
            System.out.printf("%-46s %14.2f %14.2f %8.2f %16.2f%n", key, a, b, a / b, n.get(key));
        }
        System.out.println("(ratio = vgpu / qemu C; for latency and CPU lower is better. vgpu busy-polls its rings for up to 50 us"
                + " after a request (queue.poll.us); \"no polling\" is vgpu with queue.poll.us=0, sleeping in poll() like the C back end)");
    }
}
