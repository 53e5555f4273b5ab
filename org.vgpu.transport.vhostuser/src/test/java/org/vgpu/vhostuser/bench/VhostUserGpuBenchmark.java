package org.vgpu.vhostuser.bench;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vgpu.vhostuser.DisplayPeer;
import org.vgpu.vhostuser.GpuDriver;

/**
 * vgpu against QEMU's C vhost-user GPU back end, same workloads, same run: each back end runs as
 * its own process on its own socket, driven by {@link GpuDriver} (a Java VMM + guest driver).
 * Prints small-command throughput, one-command round-trip latency and full-frame
 * TRANSFER_TO_HOST_2D + RESOURCE_FLUSH with the UPDATE reaching the display socket. The back ends
 * run side by side and the rounds alternate between them (medians and ranges are printed), so a
 * neighbour's load on this machine falls on all of them alike. Beside the frames, their limit: the
 * same copies with no device at all ({@link BareFramePipeline}).
 *
 * Run with cnf/scripts/bench.
 */
public final class VhostUserGpuBenchmark {
    static final String C_BACKEND = "/usr/lib/qemu/vhost-user-gpu";
    static final int BATCH = 64;
    static final int FLUSH = 0x104;
    static final int TRANSFER = 0x105;
    static final int ROUNDS = 5;
    static final int BATCHES_PER_ROUND = 1000;
    static final int ROUND_TRIPS_PER_ROUND = 5000;
    static final int FRAMES_PER_ROUND = 100;
    static final int W = 1920, H = 1080;
    static final String COMMANDS = "commands/s (batches of " + BATCH + ")";
    static final String RT50 = "round trip p50 (us)";
    static final String RT99 = "round trip p99 (us)";
    static final String FRAMES = "frames/s (1920x1080 transfer+flush+update)";
    static final String CPU = "back-end CPU ms per frame";

    /** One back end under test: its process, its driver, its samples per figure (one per round). */
    static final class Backend implements AutoCloseable {
        final String name;
        final List<String> command;
        final Path socket;
        final Map<String, List<Double>> samples = new LinkedHashMap<>();
        Process process;
        GpuDriver driver;
        long seen;

        Backend(String name, List<String> command, Path socket) {
            this.name = name;
            this.command = command;
            this.socket = socket;
        }

        void start(Path work) throws Exception {
            process = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                    .redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
            awaitSocket(socket, process);
            driver = new GpuDriver(socket);
            driver.createScatteredResource(10, 64, 64, false);
            driver.display().updates(DisplayPeer.Updates.COPY_INTO_ONE); // one copy into a kept surface per UPDATE, as QEMU's display does
            driver.createScatteredResource(1, W, H, true);
            driver.fillScattered(W, H, 1);
            for (int i = 0; i < 300; i++) { // warm-up, untimed
                batch(driver);
            }
            roundTrips(driver, 2000, 1);
            for (int i = 0; i < 20; i++) {
                seen = frame(driver, W, H, seen);
            }
        }

        void round() throws Exception {
            long t0 = System.nanoTime();
            for (int i = 0; i < BATCHES_PER_ROUND; i++) {
                batch(driver);
            }
            add(COMMANDS, BATCHES_PER_ROUND * (double) BATCH / ((System.nanoTime() - t0) / 1e9));
            long[] lat = roundTrips(driver, 200, ROUND_TRIPS_PER_ROUND);
            add(RT50, percentileMicros(lat, 50));
            add(RT99, percentileMicros(lat, 99));
            long cpu0 = cpuTicks(process.pid());
            long f0 = System.nanoTime();
            for (int i = 0; i < FRAMES_PER_ROUND; i++) {
                seen = frame(driver, W, H, seen);
            }
            long f1 = System.nanoTime();
            add(FRAMES, FRAMES_PER_ROUND / ((f1 - f0) / 1e9));
            add(CPU, (cpuTicks(process.pid()) - cpu0) * 10.0 / FRAMES_PER_ROUND); // 100 ticks/s
        }

        void add(String figure, double value) {
            samples.computeIfAbsent(figure, k -> new ArrayList<>()).add(value);
        }

        double median(String figure) {
            double[] v = samples.get(figure).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return v[v.length / 2];
        }

        String range(String figure) {
            DoubleSummaryStatistics st = samples.get(figure).stream().mapToDouble(Double::doubleValue).summaryStatistics();
            return String.format("%.4g-%.4g", st.getMin(), st.getMax());
        }

        @Override
        public void close() throws Exception {
            if (driver != null) {
                driver.close();
            }
            if (process != null) {
                process.destroy();
                process.waitFor();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("vgpu-bench");
        String vgpu = root.resolve("vgpu").toString();
        List<Backend> backends = List.of(
                new Backend("vgpu", List.of(vgpu, "--socket-path=" + work.resolve("vgpu.sock")), work.resolve("vgpu.sock")),
                new Backend("qemu-c", List.of(C_BACKEND, "--socket-path=" + work.resolve("c.sock")), work.resolve("c.sock")),
                new Backend("vgpu-nopoll", List.of(vgpu, "-Dvgpu.socket.queue.poll.us=0", "--socket-path=" + work.resolve("vgpu-nopoll.sock")),
                        work.resolve("vgpu-nopoll.sock")));
        List<Double> bare = new ArrayList<>();
        try (BareFramePipeline pipeline = new BareFramePipeline(W, H)) {
            for (Backend b : backends) {
                b.start(work);
            }
            pipeline.framesPerSecond(20); // warm-up
            for (int round = 0; round < ROUNDS; round++) {
                for (Backend b : backends) {
                    b.round();
                }
                bare.add(pipeline.framesPerSecond(FRAMES_PER_ROUND));
            }
            print(backends, bare);
        } finally {
            for (Backend b : backends) {
                b.close();
            }
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
    static void print(List<Backend> backends, List<Double> bare) {
        Backend v = backends.get(0), c = backends.get(1), n = backends.get(2);
        System.out.printf("%d rounds alternating the back ends; medians, the range of the rounds in brackets%n", ROUNDS);
        System.out.printf("%-44s %24s %24s %7s %24s%n", "workload", "vgpu", "qemu C", "ratio", "vgpu no polling");
        for (String key : v.samples.keySet()) {
            System.out.printf("%-44s %9.2f %-14s %9.2f %-14s %7.2f %9.2f %-14s%n", key, v.median(key), "[" + v.range(key) + "]",
                    c.median(key), "[" + c.range(key) + "]", v.median(key) / c.median(key), n.median(key), "[" + n.range(key) + "]");
        }
        double[] b = bare.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("%-44s %9.2f [%.4g-%.4g]: the frames' copies with no device, no virtqueue, no protocol:"
                + " 2025 scattered pages into a shadow, 8 MB through a unix socket, into a surface; vgpu %.0f %%, C %.0f %% of it%n",
                "limit: bare frame pipeline frames/s", b[b.length / 2], b[0], b[b.length - 1],
                100 * v.median(FRAMES) / b[b.length / 2], 100 * c.median(FRAMES) / b[b.length / 2]);
        System.out.println("(ratio = vgpu / qemu C; for latency and CPU lower is better. vgpu busy-polls its rings for up to 50 us"
                + " after a request (queue.poll.us); \"no polling\" is vgpu with queue.poll.us=0, sleeping in poll() like the C back end)");
    }
}
