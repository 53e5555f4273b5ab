package org.vgpu.itest.hostvm;

import static org.vgpu.itest.hostvm.ScenarioSupport.check;
import static org.vgpu.itest.hostvm.ScenarioSupport.fact;

import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vgpu.itest.guest.ConsoleLines;
import org.vgpu.itest.guest.GuestSetup;
import org.vgpu.itest.guest.HostVmScenario;

/**
 * Runs inside the test host VM, started by MicroVmInputIT: the assembled vgpu runtime boots the
 * Debian 6.12 guest in its micro-VM as ./vgpu vm does, which gives it gpu0, keyboard0 and tablet0
 * on virtio-mmio. The guest's virtio_input driver binds both input devices; the guest program
 * vgpu-input (vgpu.test=input) prints their names, sets the CapsLock LED and prints every event.
 * Through the control socket this sends keys, pointer positions, a click and wheel steps with
 * vgpu:input and checks that the guest read exactly those codes and scaled positions, that the
 * LED reached keyboard0's status (vgpu:devices) and that the platform exits 0 with the guest.
 * Then a real VNC client on the platform's --vnc server (TigerVNC's vncviewer under Xvfb, driven by
 * xdotool, {@link XViewer}): the keys typed into it and a click in its window must reach the guest
 * as the exact evdev codes and the click's position scaled to the scanout. With --bench it times
 * 50 (-Dvgpu.bench.events) vgpu:input key injections until the guest's line for each is on the console.
 */
public final class MicroVmInputScenario {
    static final Duration BOOT = Duration.ofSeconds(240);
    static final Duration EVENTS = Duration.ofSeconds(60);
    static final String KEYBOARD = "vgpu keyboard keyboard0";
    static final String TABLET = "vgpu tablet tablet0";
    /** Events the benchmark times; -Dvgpu.bench.events=N for a longer run (a stress of the input path). */
    static final int BENCH_EVENTS = Integer.getInteger("vgpu.bench.events", 50);
    /** Where the viewer clicks, in its window (the scanout 1:1): not where the shell's moves left the tablet. */
    static final int CLICK_X = 300, CLICK_Y = 200;

    private final Path work;
    private final Path control;
    private final Path log;
    private final boolean bench;
    private final int vncPort;
    private Process vgpu;

    private MicroVmInputScenario(Path work, boolean bench) throws Exception {
        this.work = work;
        this.bench = bench;
        try (ServerSocket s = new ServerSocket(0)) { // a free loopback port for the --vnc server
            this.vncPort = s.getLocalPort();
        }
        this.control = work.resolve("control.sock");
        this.log = work.resolve("vgpu.log");
    }

    public static void main(String[] args) throws Exception {
        MicroVmInputScenario s = new MicroVmInputScenario(Files.createTempDirectory("vgpu-input"),
                Arrays.asList(args).contains("--bench"));
        ScenarioSupport.runAsMain(s::run, "vgpu log (guest console and platform)",
                () -> System.out.println(ScenarioSupport.readLog(s.log)), () -> s.vgpu);
    }

    private void run() throws Exception {
        startVgpu();
        awaitLog("vm: booting", BOOT);
        awaitLog("VGPU-INPUT-READY", BOOT);
        String log = ScenarioSupport.readLog(this.log);
        for (String name : List.of(KEYBOARD, TABLET)) {
            String line = ConsoleLines.find(log, Pattern.compile("VGPU-INPUT-DEVICE event\\d+ " + Pattern.quote(name) + "\\s*$"))
                    .orElseThrow(() -> new AssertionError("the guest has no input device named '" + name + "'")).line();
            fact("guest-input-device", line.trim());
        }

        // The guest's EV_LED write went down the status queue: keyboard0 shows CapsLock on.
        String devices = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && !row(devices, "keyboard0").contains("LEDs caps")) {
            Thread.sleep(250);
            devices = shell("vgpu:devices");
        }
        fact("devices-after-led", devices);
        check(row(devices, "keyboard0").contains("LEDs caps"), "keyboard0 shows the guest's CapsLock LED");

        shell("vgpu:input keyboard0 key a");
        shell("vgpu:input keyboard0 key KEY_1 press");
        shell("vgpu:input keyboard0 key KEY_1 release");
        shell("vgpu:input keyboard0 key 44"); // KEY_Z by code
        shell("vgpu:input tablet0 move 640 400 1280 800");
        shell("vgpu:input tablet0 move 100 700 1280 800");
        shell("vgpu:input tablet0 click right");
        shell("vgpu:input tablet0 wheel -2");
        awaitLog("VGPU-EV " + TABLET + " REL 8 -2", EVENTS); // the tablet's last, before the keyboard ends the program
        // While the guest still runs: then Escape ends the guest program and the guest.
        String after = shell("vgpu:devices");
        fact("devices", after);
        check(row(after, "keyboard0").contains("eventq ready") && row(after, "keyboard0").contains("delivered 12, dropped 0"),
                "keyboard0 delivered its 6 key events and their SYN_REPORTs, and dropped nothing");
        check(row(after, "tablet0").contains("delivered 12, dropped 0"), "tablet0 delivered its 12 events");
        check(row(after, "tablet0").contains("tablet for gpu0"), "tablet0 belongs to gpu0");
        String transports = shell("vgpu:transports");
        fact("transports", transports);
        for (String device : List.of("gpu0", "keyboard0", "tablet0")) {
            check(transports.lines().anyMatch(l -> l.startsWith("virtio-mmio") && l.contains(" " + device + " ") && l.contains("active")),
                    device + " is active on virtio-mmio");
        }
        // vcpu0 read between two KVM_RUNs: a guest waiting for input sleeps or runs, with the LAPIC enabled.
        String vm = shell("vgpu:vm");
        fact("vm", vm);
        Matcher vcpu0 = HostVmScenario.VCPU0.matcher(vm);
        check(vm.startsWith("guest running, ") && vcpu0.find() && !vcpu0.group(1).startsWith("mp state") && vm.contains("; lapic enabled, "),
                "vgpu:vm shows vcpu0 running or halted with the guest kernel's local APIC enabled, in the format wedged-vCPU checks read: " + vm);

        // Everything the guest printed so far came from the shell's injections.
        String shellPart = lineStart(ScenarioSupport.readLog(this.log));
        List<String> events = ConsoleLines.inputEvents(shellPart);
        fact("guest-events", String.join("\n", events));
        List<String> keyboard = ConsoleLines.inputEventsOf(KEYBOARD, events);
        List<String> tablet = ConsoleLines.inputEventsOf(TABLET, events);
        check(keyboard.equals(List.of("KEY 30 1", "KEY 30 0", "KEY 2 1", "KEY 2 0", "KEY 44 1", "KEY 44 0")),
                "the guest read the keyboard's keys exactly: " + keyboard);
        // 640/1280 and 400/800 of 32767 is 16383; 100 * 32767 / 1280 = 2559, 700 * 32767 / 800 = 28671
        check(tablet.equals(List.of("ABS 0 16383", "ABS 1 16383", "ABS 0 2559", "ABS 1 28671", "KEY 273 1", "KEY 273 0", "REL 8 -2")),
                "the guest read the tablet's scaled positions, button and wheel exactly: " + tablet);

        typeAndClickInARealViewer(shellPart.length());
        if (bench) {
            benchInjectToRead();
            idleBaseline();
        }

        shell("vgpu:input keyboard0 key esc");
        awaitLog("VGPU-INPUT-DONE", EVENTS);
        List<String> keyboardAll = ConsoleLines.inputEventsOf(KEYBOARD, ConsoleLines.inputEvents(ScenarioSupport.readLog(this.log)));
        check(keyboardAll.subList(keyboardAll.size() - 2, keyboardAll.size()).equals(List.of("KEY 1 1", "KEY 1 0")),
                "the guest read Escape last: " + keyboardAll);

        String ended = awaitLog("vm: POWER_OFF", Duration.ofSeconds(120));
        fact("vm-end", ended);
        check(vgpu.waitFor(30, TimeUnit.SECONDS), "the platform stops after the guest's power-off");
        fact("vgpu-exit-status", vgpu.exitValue());
        check(vgpu.exitValue() == 0, "vgpu exits 0 after the power-off");
    }

    /**
     * TigerVNC's vncviewer on the --vnc server: "a", "1" and Return typed into it must reach the
     * guest as exactly KEY_A, KEY_1, KEY_ENTER pressed and released, and a click at (CLICK_X,
     * CLICK_Y) of its window as the tablet's ABS_X/ABS_Y scaled to the scanout (x * 32767 / width,
     * as the tablet scales) followed by BTN_LEFT pressed and released.
     */
    private void typeAndClickInARealViewer(int from) throws Exception {
        String displays = shell("vgpu:displays");
        fact("displays", displays);
        Matcher size = Pattern.compile("vnc 127\\.0\\.0\\.1:" + vncPort + " gpu0 scanout 0 (\\d+)x(\\d+)").matcher(displays);
        check(size.find(), "vgpu:displays lists the --vnc server on 127.0.0.1:" + vncPort + " for gpu0");
        int width = Integer.parseInt(size.group(1)), height = Integer.parseInt(size.group(2));
        check(width > CLICK_X && height > CLICK_Y, "the scanout (" + width + "x" + height + ") holds the click position");
        check(displays.contains("input keyboard0 (KEYBOARD)") && displays.contains("input tablet0 (TABLET)"),
                "the VNC server sends its input to keyboard0 and tablet0");
        try (XViewer viewer = new XViewer(work)) {
            viewer.start(vncPort, "gpu0");
            String window = viewer.windowSize();
            fact("viewer-window", window);
            check(window.equals(width + "x" + height), "the viewer shows the scanout 1:1 (window " + window + ", scanout " + width + "x" + height + ")");
            viewer.keys("a", "1", "Return");
            awaitLog("VGPU-EV " + KEYBOARD + " KEY 28 0", EVENTS);
            viewer.clickAt(CLICK_X, CLICK_Y);
            awaitLog("VGPU-EV " + TABLET + " KEY 272 0", EVENTS);
        }
        String vncPart = lineStart(ScenarioSupport.readLog(this.log)).substring(from);
        List<String> events = ConsoleLines.inputEvents(vncPart);
        fact("guest-events-from-vnc", String.join("\n", events));
        List<String> keyboard = ConsoleLines.inputEventsOf(KEYBOARD, events);
        check(keyboard.equals(List.of("KEY 30 1", "KEY 30 0", "KEY 2 1", "KEY 2 0", "KEY 28 1", "KEY 28 0")),
                "the guest read the keys typed in vncviewer exactly: " + keyboard);
        List<String> tablet = ConsoleLines.inputEventsOf(TABLET, events);
        List<String> click = List.of("ABS 0 " + (long) CLICK_X * 32767 / width, "ABS 1 " + (long) CLICK_Y * 32767 / height, "KEY 272 1", "KEY 272 0");
        // The viewer may report where the X pointer was before xdotool moved it: only the last move counts.
        check(tablet.size() >= 4 && tablet.subList(tablet.size() - 4, tablet.size()).equals(click),
                "the guest read the click in vncviewer at its scaled position " + click + ": " + tablet);
        check(tablet.stream().noneMatch(e -> e.startsWith("REL") || e.startsWith("KEY") && !e.startsWith("KEY 272")),
                "the viewer sent no wheel and no other button: " + tablet);
    }

    /**
     * Event latency from the shell's inject to the guest's read: BENCH_EVENTS vgpu:input key
     * injections over the control socket (KEY_B, pressed and released in turn), each timed from
     * before the command is sent until the guest's line for that event is complete in the console
     * log (the guest's read, its print and the serial console's way to the log included).
     */
    private void benchInjectToRead() throws Exception {
        long[] nanos = new long[BENCH_EVENTS];
        for (int i = 0; i < BENCH_EVENTS; i++) {
            boolean press = i % 2 == 0;
            long from = Files.size(log);
            long start = System.nanoTime();
            shell("vgpu:input keyboard0 key KEY_B " + (press ? "press" : "release"));
            awaitFast(from, "VGPU-EV " + KEYBOARD + " KEY 48 " + (press ? 1 : 0), start + EVENTS.toNanos());
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        fact("bench-inject-to-guest-read-events", BENCH_EVENTS);
        fact("bench-inject-to-guest-read-p50-ms", String.format("%.2f", nanos[BENCH_EVENTS / 2] / 1e6));
        fact("bench-inject-to-guest-read-p99-ms", String.format("%.2f", nanos[(int) Math.ceil(BENCH_EVENTS * 0.99) - 1] / 1e6));
        fact("bench-inject-to-guest-read-max-ms", String.format("%.2f", nanos[BENCH_EVENTS - 1] / 1e6));
    }

    /**
     * What a stall's readout compares with: the vCPU thread's CPU use over 3 s with the guest
     * idle (waiting for input), and vcpu0's state read three times meanwhile.
     */
    private void idleBaseline() throws Exception {
        long ticks0 = vcpuTicks(), wait0 = System.nanoTime();
        StringBuilder states = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            Thread.sleep(1000);
            states.append(shell("vgpu:vm").lines().filter(l -> l.startsWith("vcpu0")).findFirst().orElse("")).append('\n');
        }
        fact("bench-idle-vcpu-use", String.format("%.2f s of %.2f s", (vcpuTicks() - ticks0) / 100.0, (System.nanoTime() - wait0) / 1e9));
        fact("bench-idle-vcpu-states", states.toString().strip());
    }

    /** Polls the log from byte offset from (every 0.2 ms, not 250 ms as awaitLog) until a complete line ends with marker. */
    private void awaitFast(long from, String marker, long deadline) throws Exception {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            StringBuilder seen = new StringBuilder();
            long at = from;
            byte[] buffer = new byte[8192];
            while (true) {
                file.seek(at);
                int n;
                while ((n = file.read(buffer)) > 0) {
                    seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    at += n;
                }
                if (seen.indexOf(marker) >= 0 && ConsoleLines.complete(seen.toString()).stream().anyMatch(l -> l.endsWith(marker))) {
                    return; // a whole line, even if a kernel message was written into it
                }
                if (System.nanoTime() - deadline >= 0) {
                    // What tells a lost interrupt from an undelivered event or a stalled console:
                    // the device's delivered/pending counts, and whether the next event gets through.
                    String devices = shell("vgpu:devices");
                    String vmBefore = shell("vgpu:vm");
                    long vcpu0 = vcpuTicks();
                    long wait0 = System.nanoTime();
                    shell("vgpu:input keyboard0 key KEY_C press");
                    boolean nextRead = awaitLine(at, "VGPU-EV " + KEYBOARD + " KEY 46 1", Duration.ofSeconds(10));
                    String vcpuUse = String.format("the vCPU thread ran %.1f s of those %.1f s (a guest spinning with interrupts off runs"
                            + " all of it, a halted one waiting for an interrupt little)", (vcpuTicks() - vcpu0) / 100.0,
                            (System.nanoTime() - wait0) / 1e9);
                    String after = new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1);
                    String vmAfter = shell("vgpu:vm") + "\n" + shell("vgpu:vm");
                    throw new AssertionError("no '" + marker + "' within " + EVENTS.toSeconds() + " s of its injection; devices then:\n"
                            + devices + "\nthe VM then:\n" + vmBefore + "\nand after the extra key's wait (twice):\n" + vmAfter
                            + "\none more key (KEY_C) " + (nextRead ? "was read" : "was not read within 10 s either")
                            + "; " + vcpuUse + "; the console then:\n"
                            + after.substring(Math.max(0, after.length() - 600))
                            + "\ntransports (interrupt status, edges raised and acked) then:\n" + shell("vgpu:transports")
                            + "\nvgpu's threads then:\n" + threadDump());
                }
                check(vgpu.isAlive(), "vgpu exited before " + marker);
                LockSupport.parkNanos(200_000);
            }
        }
    }

    /** Whether a line ending with marker appears in the log after byte offset from within timeout. */
    private boolean awaitLine(long from, String marker, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            byte[] all = Files.readAllBytes(log);
            String tail = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), StandardCharsets.ISO_8859_1);
            if (ConsoleLines.complete(tail).stream().anyMatch(l -> l.endsWith(marker))) {
                return true;
            }
            Thread.sleep(100);
        } while (System.nanoTime() - deadline < 0);
        return false;
    }

    /** utime + stime (clock ticks) of vgpu's vCPU thread ("vm-vcpu0"), -1 if it is not found. */
    private long vcpuTicks() throws Exception {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(vgpu.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                if (Files.readString(task.resolve("comm")).trim().equals("vm-vcpu0")) {
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
        }
        return -1;
    }

    /** vgpu's threads (jcmd Thread.print): where a vCPU or device thread waits when the guest stalls. */
    private String threadDump() throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(vgpu.pid()), "Thread.print").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** The log up to its last complete line: a cut that never splits a line. */
    private static String lineStart(String log) {
        return log.substring(0, log.lastIndexOf('\n') + 1);
    }

    /** The vgpu:devices row of one device. */
    private static String row(String devices, String name) {
        return devices.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElse("");
    }

    private void startVgpu() throws Exception {
        Path root = GuestSetup.root();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        vgpu = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx768m",
                "-Dvgpu.control.socket=" + control,
                "-Dvgpu.vm.kernel=" + GuestSetup.kernel(), "-Dvgpu.vm.initrd=" + GuestSetup.initramfs(),
                "-Dvgpu.vm.append=console=ttyS0 panic=-1 vgpu.test=input vgpu.inputs=2 vgpu.hold=" + (200 + BENCH_EVENTS / 2) + " nokaslr", "-Dvgpu.vm.memory=512M",
                "-Dvgpu.vnc=127.0.0.1:" + vncPort,
                "-Dvgpu.virgl=false", // a 2D guest; and Mesa's llvmpipe aborts under TCG's -cpu max (the host VM)
                "-Dfelix.fileinstall.dir=" + work.resolve("load"), "-Dgosh.args=--nointeractive --noshutdown",
                "-jar", root.resolve("cnf/target/vgpu.jar").toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    }

    private String awaitLog(String marker, Duration timeout) throws Exception {
        return ScenarioSupport.awaitLog(log, vgpu, control, ConsoleLines.literal(marker), timeout);
    }

    private String shell(String command) throws Exception {
        return ScenarioSupport.shell(control, command);
    }
}
