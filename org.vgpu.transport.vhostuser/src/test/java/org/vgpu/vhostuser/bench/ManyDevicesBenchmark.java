package org.vgpu.vhostuser.bench;

import static org.vgpu.vhostuser.bench.VhostUserGpuBenchmark.C_BACKEND;
import static org.vgpu.vhostuser.bench.VhostUserGpuBenchmark.awaitSocket;
import static org.vgpu.vhostuser.bench.VhostUserGpuBenchmark.frame;
import static org.vgpu.vhostuser.bench.VhostUserGpuBenchmark.percentileMicros;
import static org.vgpu.vhostuser.bench.VhostUserGpuBenchmark.roundTrips;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;

import org.vgpu.vhostuser.DisplayPeer;
import org.vgpu.vhostuser.GpuDriver;

/**
 * Many VMs, one platform: 16 GPU devices in one vgpu process on 16 vhost-user sockets against 16
 * processes of QEMU's C back end (one socket each), each device driven by its own {@link GpuDriver}
 * (a Java VMM + guest driver, one thread each), same workloads, same run. Prints resident memory
 * and threads idle (the platform before any connection, with 1 and with 16 devices connected,
 * and per additional device, split into anonymous, file-backed and shared pages), one device's
 * small-command p99 while the other 15 are idle, draw PACED_FPS frames/s each and draw flat out,
 * 16 front ends drawing full frames at once (aggregate frames/s, back-end CPU per frame, frame
 * latency), and the start-up time to a listening socket, each beside its goal (issue 15).
 *
 * Both sides grow the same way: one device first (vgpu: gpu0 from --socket-path; C: one process),
 * then 15 more (vgpu: configuration files dropped into its load directory while it runs; C: 15
 * more processes). Run with cnf/scripts/bench.
 */
public final class ManyDevicesBenchmark {
    static final int DEVICES = 16;
    static final int WIDTH = 1920, HEIGHT = 1080;
    static final int WARMUP_FRAMES = 10;
    static final long DRAW_MILLIS = 10_000;
    static final int ROUND_TRIP_WARMUP = 2000, ROUND_TRIPS = 10_000;
    /** Frames/s each of the 15 other devices draws in the paced interference run. */
    static final int PACED_FPS = 3;
    static final long SETTLE_MILLIS = 2000;
    static final int STARTS = 5;
    /** Rounds of the idle / paced / flat-out small-command runs. */
    static final int ROUNDS = 3;
    static final double MIB = 1024 * 1024;

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("vgpu-many");
        String loadBefore = loadAverage();
        Path emptyLoad = Files.createDirectories(work.resolve("empty-load"));
        if (args.length > 1 && args[1].equals("--startup")) { // the start-up figures alone
            System.out.printf("start-up to a listening socket, median of %d: vgpu %.0f ms, qemu C %.0f ms%n", STARTS,
                    startupMillis(socket -> vgpuStart(root, socket, emptyLoad), work, "vgpu-start"),
                    startupMillis(socket -> List.of(C_BACKEND, "--socket-path=" + socket), work, "c-start"));
            startupPhases(root, emptyLoad, work);
            return;
        }
        Map<String, Map<String, Double>> results = new LinkedHashMap<>();
        results.put("vgpu", measure(new VgpuPlatform(root, work)));
        results.put("qemu-c", measure(new CProcesses(work)));
        results.get("vgpu").put(STARTUP, startupMillis(socket -> vgpuStart(root, socket, emptyLoad), work, "vgpu-start"));
        results.get("qemu-c").put(STARTUP, startupMillis(socket -> List.of(C_BACKEND, "--socket-path=" + socket), work, "c-start"));
        print(results);
        startupPhases(root, emptyLoad, work);
        System.out.printf("load average (1, 5, 15 min) at the start %s, at the end %s (with this run's own threads); %d cores:"
                + " other work on the machine shows in both columns%n",
                loadBefore, loadAverage(), Runtime.getRuntime().availableProcessors());
    }

    static List<String> vgpuStart(Path root, Path socket, Path emptyLoad) {
        return List.of(root.resolve("vgpu").toString(), "--socket-path=" + socket, "-Dfelix.fileinstall.dir=" + emptyLoad);
    }

    static String loadAverage() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    static final String IDLE_PLATFORM = "idle, 1 device listening, 0 connected: RSS MiB";
    static final String IDLE_1 = "idle, 1 device connected: RSS MiB";
    static final String IDLE_16 = "idle, 16 devices connected: RSS MiB";
    static final String MARGINAL = "RSS per additional connected device MiB";
    static final String MARGINAL_ANON = "  of it anonymous (heap, stacks, malloc) MiB";
    static final String MARGINAL_FILE = "  of it file-backed MiB";
    static final String MARGINAL_SHMEM = "  of it shared memory (guest RAM touched) MiB";
    static final String THREADS_1 = "threads, 1 device connected";
    static final String THREADS_16 = "threads, 16 devices connected";
    static final String FRAMES = "16 drawing: aggregate frames/s";
    static final String CPU = "16 drawing: back-end CPU ms per frame";
    static final String FRAME_P50 = "16 drawing: frame latency p50 ms";
    static final String FRAME_P99 = "16 drawing: frame latency p99 ms";
    static final String QUIET_P99 = "dev 0 FLUSH p99 us, 15 others idle";
    static final String PACED_P99 = "dev 0 FLUSH p99 us, 15 drawing " + PACED_FPS + " frames/s";
    static final String PACED = "  interference, paced: p99 / idle p99";
    static final String BUSY_P99 = "dev 0 FLUSH p99 us, 15 drawing flat out";
    static final String BUSY = "  interference, flat out: p99 / idle p99";
    static final String BARE_QUIET_P99 = "limit: bare eventfd wake-up p99 us, idle";
    static final String BARE_BUSY_P99 = "limit: bare eventfd wake-up p99 us, 15 flat out";
    static final String BARE_BUSY = "  limit: its p99 / its idle p99";
    static final String STARTUP = "start-up to listening socket ms";

    /** One side of the comparison: the back-end process(es) serving devices 0..n-1, one socket each. */
    interface Backend extends AutoCloseable {
        /** Starts serving device 0 and returns its socket once it listens. */
        Path startFirst() throws Exception;

        /** Serves devices 1..count-1 as well; returns their sockets once they listen. */
        List<Path> grow(int count) throws Exception;

        List<Long> pids();

        @Override
        void close() throws Exception;
    }

    /** One vgpu process: gpu0 from --socket-path, gpu1..gpu15 from configuration files dropped into its load directory. */
    static final class VgpuPlatform implements Backend {
        private final Path root;
        private final Path work;
        private final Path load;
        private Process process;

        VgpuPlatform(Path root, Path work) throws Exception {
            this.root = root;
            this.work = work;
            this.load = Files.createDirectories(work.resolve("vgpu-load"));
        }

        @Override
        public Path startFirst() throws Exception {
            Path socket = socket(0);
            process = start(List.of(root.resolve("vgpu").toString(), "--socket-path=" + socket, "-Dfelix.fileinstall.dir=" + load),
                    work.resolve("vgpu.log"));
            awaitSocket(socket, process);
            return socket;
        }

        @Override
        public List<Path> grow(int count) throws Exception {
            List<Path> sockets = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                String device = "gpu" + i;
                drop("org.vgpu.gpu-" + device + ".cfg", "vgpu.device.name=\"" + device + "\"\n");
                drop("org.vgpu.vhostuser-" + device + ".cfg", "socket.path=\"" + socket(i) + "\"\ndevice.target=\"(vgpu.device.name=" + device + ")\"\n");
                sockets.add(socket(i));
            }
            for (Path s : sockets) {
                awaitSocket(s, process);
            }
            return sockets;
        }

        /** Written beside the load directory and moved in, so the file installer never reads half a file. */
        private void drop(String name, String content) throws Exception {
            Path tmp = Files.writeString(work.resolve(name + ".tmp"), content);
            Files.move(tmp, load.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        }

        private Path socket(int i) {
            return work.resolve("vgpu-" + i + ".sock");
        }

        @Override
        public List<Long> pids() {
            return List.of(process.pid()); // ./vgpu execs java: the script's pid is the platform's
        }

        @Override
        public void close() throws Exception {
            stop(process);
        }
    }

    /** QEMU's C back end, one process per device. */
    static final class CProcesses implements Backend {
        private final Path work;
        private final List<Process> processes = new ArrayList<>();

        CProcesses(Path work) {
            this.work = work;
        }

        @Override
        public Path startFirst() throws Exception {
            return startOne(0);
        }

        @Override
        public List<Path> grow(int count) throws Exception {
            List<Path> sockets = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                sockets.add(startOne(i));
            }
            return sockets;
        }

        private Path startOne(int i) throws Exception {
            Path socket = work.resolve("c-" + i + ".sock");
            Process p = start(List.of(C_BACKEND, "--socket-path=" + socket), work.resolve("c-" + i + ".log"));
            processes.add(p);
            awaitSocket(socket, p);
            return socket;
        }

        @Override
        public List<Long> pids() {
            return processes.stream().map(Process::pid).toList();
        }

        @Override
        public void close() throws Exception {
            for (Process p : processes) {
                stop(p);
            }
        }
    }

    static Process start(List<String> command, Path log) throws Exception {
        return new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            p.waitFor();
        }
    }

    static Map<String, Double> measure(Backend backend) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        List<GpuDriver> drivers = new ArrayList<>();
        try (backend) {
            Path first = backend.startFirst();
            Thread.sleep(SETTLE_MILLIS);
            r.put(IDLE_PLATFORM, Memory.of(backend.pids()).rss / MIB);

            drivers.add(frontEnd(first));
            Thread.sleep(SETTLE_MILLIS);
            Memory one = Memory.of(backend.pids());
            for (Path s : backend.grow(DEVICES)) {
                drivers.add(frontEnd(s));
            }
            Thread.sleep(SETTLE_MILLIS);
            Memory all = Memory.of(backend.pids());
            r.put(IDLE_1, one.rss / MIB);
            r.put(IDLE_16, all.rss / MIB);
            r.put(MARGINAL, (all.rss - one.rss) / MIB / (DEVICES - 1));
            r.put(MARGINAL_ANON, (all.anon - one.anon) / MIB / (DEVICES - 1));
            r.put(MARGINAL_FILE, (all.file - one.file) / MIB / (DEVICES - 1));
            r.put(MARGINAL_SHMEM, (all.shmem - one.shmem) / MIB / (DEVICES - 1));
            r.put(THREADS_1, (double) one.threads);
            r.put(THREADS_16, (double) all.threads);

            // Resource 10: 64x64 on no scanout, the small command's target; resource 1: the frame on scanout 0.
            GpuDriver probe = drivers.get(0);
            probe.createScatteredResource(10, 64, 64, false);
            for (int i = 0; i < drivers.size(); i++) {
                drivers.get(i).createScatteredResource(1, WIDTH, HEIGHT, true);
                drivers.get(i).fillScattered(WIDTH, HEIGHT, i);
            }
            List<GpuDriver> others = drivers.subList(1, drivers.size());

            // Idle, paced and flat out in turn, ROUNDS times: the median p99 of each condition, so one
            // burst of other work on the machine does not decide a figure.
            double[] quiet = new double[ROUNDS], paced = new double[ROUNDS], busy = new double[ROUNDS];
            double[] bareQuiet = new double[ROUNDS], bareBusy = new double[ROUNDS];
            long[][] probed = new long[2][];
            try (BareWakeProbe bare = new BareWakeProbe()) {
                for (int round = 0; round < ROUNDS; round++) {
                    quiet[round] = percentileMicros(roundTrips(probe, ROUND_TRIP_WARMUP, ROUND_TRIPS), 99);
                    bareQuiet[round] = percentileMicros(bare.roundTrips(ROUND_TRIP_WARMUP, ROUND_TRIPS), 99);
                    draw(others, PACED_FPS, backend.pids(), () -> probed[0] = roundTrips(probe, ROUND_TRIP_WARMUP, ROUND_TRIPS));
                    paced[round] = percentileMicros(probed[0], 99);
                    draw(others, 0, backend.pids(), () -> {
                        probed[0] = roundTrips(probe, ROUND_TRIP_WARMUP, ROUND_TRIPS);
                        probed[1] = bare.roundTrips(ROUND_TRIP_WARMUP, ROUND_TRIPS); // the same load, no device
                    });
                    busy[round] = percentileMicros(probed[0], 99);
                    bareBusy[round] = percentileMicros(probed[1], 99);
                }
            }

            Drawing drawing = draw(drivers, 0, backend.pids(), () -> Thread.sleep(DRAW_MILLIS));
            r.put(FRAMES, drawing.frames / drawing.seconds);
            r.put(CPU, drawing.cpuTicks * 10.0 / drawing.frames); // 100 ticks/s
            r.put(FRAME_P50, percentileMicros(drawing.latencies, 50) / 1e3);
            r.put(FRAME_P99, percentileMicros(drawing.latencies, 99) / 1e3);
            r.put(QUIET_P99, median(quiet));
            r.put(PACED_P99, median(paced));
            r.put(PACED, median(paced) / median(quiet));
            r.put(BUSY_P99, median(busy));
            r.put(BUSY, median(busy) / median(quiet));
            r.put(BARE_QUIET_P99, median(bareQuiet));
            r.put(BARE_BUSY_P99, median(bareBusy));
            r.put(BARE_BUSY, median(bareBusy) / median(bareQuiet));
        } finally {
            for (GpuDriver d : drivers) {
                d.close();
            }
        }
        return r;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** A front end whose display counts UPDATEs without copying them: 16 of them in this JVM make no garbage per frame. */
    static GpuDriver frontEnd(Path socket) throws Exception {
        GpuDriver d = new GpuDriver(socket);
        d.display().updates(DisplayPeer.Updates.DISCARD);
        return d;
    }

    /** Resident memory (bytes) and threads summed over processes, from /proc/PID/status. */
    record Memory(long rss, long anon, long file, long shmem, long threads) {
        static Memory of(List<Long> pids) throws Exception {
            long rss = 0, anon = 0, file = 0, shmem = 0, threads = 0;
            for (long pid : pids) {
                List<String> status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
                rss += field(status, pid, "VmRSS:") * 1024; // reported in kB
                anon += field(status, pid, "RssAnon:") * 1024;
                file += field(status, pid, "RssFile:") * 1024;
                shmem += field(status, pid, "RssShmem:") * 1024;
                threads += field(status, pid, "Threads:");
            }
            return new Memory(rss, anon, file, shmem, threads);
        }

        /** The number in a status line ("VmRSS:  5864 kB", "Threads:  2"). */
        private static long field(List<String> status, long pid, String key) {
            for (String line : status) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
            throw new IllegalStateException("no " + key + " in /proc/" + pid + "/status");
        }
    }

    interface Timed {
        void run() throws Exception;
    }

    record Drawing(long frames, double seconds, long cpuTicks, long[] latencies) { }

    /**
     * Each driver draws full frames (TRANSFER + FLUSH, done when the UPDATE reached its display)
     * on its own thread: WARMUP_FRAMES untimed, then, all together, until during has returned;
     * flat out (fps 0) or each starting a frame every 1/fps s (one that falls behind catches up: the offered rate stays fps).
     */
    static Drawing draw(List<GpuDriver> drivers, int fps, List<Long> pids, Timed during) throws Exception {
        int n = drivers.size();
        CyclicBarrier start = new CyclicBarrier(n + 1);
        long[][] latencies = new long[n][];
        int[] counts = new int[n];
        Exception[] failures = new Exception[n];
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int i = t;
            GpuDriver d = drivers.get(i);
            Thread thread = new Thread(() -> {
                try {
                    long seen = 0;
                    for (int f = 0; f < WARMUP_FRAMES; f++) {
                        seen = frame(d, WIDTH, HEIGHT, seen);
                    }
                    start.await();
                    long[] lat = new long[1024];
                    int count = 0;
                    long period = fps == 0 ? 0 : 1_000_000_000L / fps;
                    long next = System.nanoTime() + period * i / n; // paced drawers spread over one period
                    while (!stop.get()) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        next += period;
                        long s = System.nanoTime();
                        seen = frame(d, WIDTH, HEIGHT, seen);
                        if (count == lat.length) {
                            lat = Arrays.copyOf(lat, count * 2);
                        }
                        lat[count++] = System.nanoTime() - s;
                    }
                    latencies[i] = lat;
                    counts[i] = count;
                } catch (Exception e) {
                    failures[i] = e;
                    start.reset(); // the main thread's await fails instead of waiting forever
                }
            }, "drawer-" + i);
            threads.add(thread);
            thread.start();
        }
        try {
            start.await();
        } catch (BrokenBarrierException e) {
            for (Thread thread : threads) {
                thread.join();
            }
            throw firstFailure(failures, e);
        }
        long cpu0 = cpuTicks(pids);
        long t0 = System.nanoTime();
        try {
            during.run();
        } finally {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
        }
        long t1 = System.nanoTime();
        long cpu1 = cpuTicks(pids);
        Exception failed = firstFailure(failures, null);
        if (failed != null) {
            throw failed;
        }
        long frames = Arrays.stream(counts).asLongStream().sum();
        long[] all = new long[(int) frames];
        int at = 0;
        for (int i = 0; i < n; i++) {
            System.arraycopy(latencies[i], 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        return new Drawing(frames, (t1 - t0) / 1e9, cpu1 - cpu0, all);
    }

    /** A drawer's own failure rather than the broken barrier it left the others with. */
    static Exception firstFailure(Exception[] failures, Exception fallback) {
        for (Exception e : failures) {
            if (e != null && !(e instanceof BrokenBarrierException)) {
                return e;
            }
        }
        return fallback;
    }

    static long cpuTicks(List<Long> pids) throws Exception {
        long sum = 0;
        for (long pid : pids) {
            sum += VhostUserGpuBenchmark.cpuTicks(pid);
        }
        return sum;
    }

    interface Command {
        List<String> forSocket(Path socket);
    }

    /**
     * Milliseconds from launching the command to its socket listening (a connect() would succeed),
     * the median of STARTS launches after one untimed launch that warms the file cache.
     */
    static double startupMillis(Command command, Path work, String name) throws Exception {
        double[] ms = new double[STARTS];
        for (int i = -1; i < STARTS; i++) {
            Path socket = work.resolve(name + ".sock");
            Path log = work.resolve(name + ".log");
            long t0 = System.nanoTime();
            Process p = start(command.forSocket(socket), log);
            try {
                awaitSocket(socket, p);
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            } finally {
                stop(p);
            }
            if (Files.readString(log).contains("building runnable jars")) {
                throw new IllegalStateException("./vgpu rebuilt its jar during the start-up measurement: build first (cnf/scripts/bench does)");
            }
        }
        return median(ms);
    }

    static void print(Map<String, Map<String, Double>> results) {
        Map<String, Double> v = results.get("vgpu");
        Map<String, Double> c = results.get("qemu-c");
        System.out.printf("%d devices: vgpu = one process with %d sockets, qemu C = %d processes (%s), one socket each%n",
                DEVICES, DEVICES, DEVICES, C_BACKEND);
        System.out.printf("frames %dx%d TRANSFER_TO_HOST_2D + RESOURCE_FLUSH, done when the UPDATE reached the display (counted, not copied);"
                + " %d warm-up frames per device and run, then %d s with all 16 drawing%n", WIDTH, HEIGHT, WARMUP_FRAMES, DRAW_MILLIS / 1000);
        System.out.printf("small command: RESOURCE_FLUSH of a 64x64 resource on no scanout, %d round trips after %d warm-up;"
                + " p99: median of %d rounds (idle, paced, flat out in turn); RSS read %d ms after the last connection%n",
                ROUND_TRIPS, ROUND_TRIP_WARMUP, ROUNDS, SETTLE_MILLIS);
        System.out.printf("%-44s %12s %12s %8s%n", "figure", "vgpu", "qemu C", "ratio");
        for (String key : v.keySet()) {
            double a = v.get(key), b = c.get(key);
            System.out.printf("%-44s %12.2f %12.2f %8s%n", key, a, b, b == 0 ? "-" : String.format("%.2f", a / b));
        }
        System.out.println("(ratio = vgpu / qemu C; for memory, threads, latency and CPU lower is better;"
                + " start-up: median of " + STARTS + " launches, vgpu through ./vgpu with the built jar and an empty load directory)");
        System.out.println();
        System.out.println("goals (issue 15) for vgpu, qemu C beside them:");
        goal("RSS per additional idle connected device <= 2 MiB", v, c, MARGINAL, 2, "MiB");
        goal("idle platform (0 devices connected) <= 100 MiB", v, c, IDLE_PLATFORM, 100, "MiB");
        goal("interference, others paced: p99 / idle p99 <= 1.2x", v, c, PACED, 1.2, "x");
        goal("interference, others flat out: p99 / idle p99 <= 1.2x", v, c, BUSY, 1.2, "x");
        System.out.printf("    its limit: two threads waking each other through eventfds under the same flat-out load rise %.2fx"
                + " (vgpu run) and %.2fx (C run) over their idle p99: the 2 cores' scheduling%n", v.get(BARE_BUSY), c.get(BARE_BUSY));
        goal("start-up to a listening socket <= 1000 ms", v, c, STARTUP, 1000, "ms");
    }

    /**
     * Milliseconds from the socket listening to the first front end's handshake done (features,
     * memory table, queues: a GpuDriver connected), one launch after one warm-up launch; for vgpu
     * this includes virglrenderer's start, which the first feature read brings.
     */
    static double firstHandshakeMillis(Command command, Path work, String name) throws Exception {
        double ms = 0;
        for (int i = 0; i < 2; i++) {
            Path socket = work.resolve(name + ".sock");
            Process p = start(command.forSocket(socket), work.resolve(name + ".log"));
            try {
                awaitSocket(socket, p);
                long t0 = System.nanoTime();
                try (GpuDriver d = new GpuDriver(socket)) {
                    ms = (System.nanoTime() - t0) / 1e6;
                }
            } finally {
                stop(p);
            }
        }
        return ms;
    }

    /**
     * Where vgpu's start-up goes: one more launch with the bnd launcher's trace, each line stamped
     * as it arrives: until the framework exists, installing the 22 embedded bundles, resolving,
     * each bundle's start (the slowest listed), and the socket.
     */
    static void startupPhases(Path root, Path emptyLoad, Path work) throws Exception {
        Path socket = work.resolve("vgpu-trace.sock");
        long t0 = System.nanoTime();
        List<String> command = new ArrayList<>(vgpuStart(root, socket, emptyLoad));
        command.add("-Dlaunch.trace=true");
        Process p = new ProcessBuilder(command).redirectInput(new File("/dev/null")).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<Long> stamps = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                for (String line; (line = in.readLine()) != null; ) {
                    stamps.add(System.nanoTime());
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        reader.start();
        long listening;
        try {
            awaitSocket(socket, p);
            listening = System.nanoTime();
            Thread.sleep(100); // the launcher's "started" line of the last bundle
        } finally {
            stop(p);
            reader.join(5000);
        }
        Map<String, Long> at = new LinkedHashMap<>();
        Map<String, Long> bundleStart = new LinkedHashMap<>();
        Map<String, Double> bundleMillis = new LinkedHashMap<>();
        synchronized (lines) {
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                long t = stamps.get(i);
                for (String marker : List.of("# inited system bundle", "# starting in embedded mode", "# system bundle started ok", "# Will start bundles")) {
                    if (l.startsWith(marker)) {
                        at.putIfAbsent(marker, t);
                    }
                }
                if (l.startsWith("# starting ")) {
                    bundleStart.put(l.substring("# starting ".length()).trim(), t);
                } else if (l.startsWith("# started ")) {
                    String b = l.substring("# started ".length()).trim();
                    Long s = bundleStart.get(b);
                    if (s != null) {
                        bundleMillis.put(b, (t - s) / 1e6);
                    }
                }
            }
        }
        if (at.size() < 4) {
            System.out.println("start-up phases: the launcher's trace lacked its markers (" + at.keySet() + ")");
            return;
        }
        double framework = (at.get("# inited system bundle") - t0) / 1e6;
        double install = (at.get("# system bundle started ok") - at.get("# starting in embedded mode")) / 1e6;
        double resolve = (at.get("# Will start bundles") - at.get("# system bundle started ok")) / 1e6;
        double starts = (listening - at.get("# Will start bundles")) / 1e6;
        System.out.printf("vgpu start-up, one traced launch: %.0f ms to the socket = JVM, launcher and framework %.0f ms, installing the"
                + " bundles %.0f ms, resolving %.0f ms, starting them until the socket listens %.0f ms%n",
                (listening - t0) / 1e6, framework, install, resolve, starts);
        System.out.printf("  then the first front end's handshake (vgpu: with virglrenderer's start): vgpu %.0f ms, qemu C %.0f ms%n",
                firstHandshakeMillis(socket2 -> vgpuStart(root, socket2, emptyLoad), work, "vgpu-handshake"),
                firstHandshakeMillis(socket2 -> List.of(C_BACKEND, "--socket-path=" + socket2), work, "c-handshake"));
        System.out.print("  slowest bundle starts:");
        bundleMillis.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(6)
                .forEach(e -> System.out.printf(" %s %.0f ms;", e.getKey(), e.getValue()));
        System.out.println();
    }

    static void goal(String what, Map<String, Double> v, Map<String, Double> c, String key, double limit, String unit) {
        double value = v.get(key);
        System.out.printf("  %-56s %10.2f %-3s %s   (qemu C %.2f)%n", what, value, unit, value <= limit ? "PASS" : "FAIL", c.get(key));
    }
}
