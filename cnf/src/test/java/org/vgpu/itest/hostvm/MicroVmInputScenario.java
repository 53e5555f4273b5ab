package org.vgpu.itest.hostvm;

import static org.vgpu.itest.hostvm.ScenarioSupport.check;
import static org.vgpu.itest.hostvm.ScenarioSupport.fact;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vgpu.itest.guest.ConsoleLines;
import org.vgpu.itest.guest.GuestSetup;

/**
 * Runs inside the test host VM, started by MicroVmInputIT: the assembled vgpu runtime boots the
 * Debian 6.12 guest in its micro-VM as ./vgpu vm does, which gives it gpu0, keyboard0 and tablet0
 * on virtio-mmio. The guest's virtio_input driver binds both input devices; the guest program
 * vgpu-input (vgpu.test=input) prints their names, sets the CapsLock LED and prints every event.
 * Through the control socket this sends keys, pointer positions, a click and wheel steps with
 * vgpu:input and checks that the guest read exactly those codes and scaled positions, that the
 * LED reached keyboard0's status (vgpu:devices) and that the platform exits 0 with the guest.
 */
public final class MicroVmInputScenario {
    static final Duration BOOT = Duration.ofSeconds(240);
    static final Duration EVENTS = Duration.ofSeconds(60);
    static final String KEYBOARD = "vgpu keyboard keyboard0";
    static final String TABLET = "vgpu tablet tablet0";
    private static final Pattern EVENT = Pattern.compile("VGPU-EV (.+) (KEY|ABS|REL) (\\d+) (-?\\d+)\\s*$");

    private final Path work;
    private final Path control;
    private final Path log;
    private Process vgpu;

    private MicroVmInputScenario(Path work) {
        this.work = work;
        this.control = work.resolve("control.sock");
        this.log = work.resolve("vgpu.log");
    }

    public static void main(String[] args) throws Exception {
        MicroVmInputScenario s = new MicroVmInputScenario(Files.createTempDirectory("vgpu-input"));
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

        shell("vgpu:input keyboard0 key esc");
        awaitLog("VGPU-INPUT-DONE", EVENTS);

        List<String> events = ConsoleLines.complete(ScenarioSupport.readLog(this.log)).stream()
                .map(EVENT::matcher).filter(Matcher::find).map(m -> m.group(1) + ": " + m.group(2) + " " + m.group(3) + " " + m.group(4)).toList();
        fact("guest-events", String.join("\n", events));
        List<String> keyboard = events.stream().filter(e -> e.startsWith(KEYBOARD + ":")).map(e -> e.substring(KEYBOARD.length() + 2)).toList();
        List<String> tablet = events.stream().filter(e -> e.startsWith(TABLET + ":")).map(e -> e.substring(TABLET.length() + 2)).toList();
        check(keyboard.equals(List.of("KEY 30 1", "KEY 30 0", "KEY 2 1", "KEY 2 0", "KEY 44 1", "KEY 44 0", "KEY 1 1", "KEY 1 0")),
                "the guest read the keyboard's keys exactly: " + keyboard);
        // 640/1280 and 400/800 of 32767 is 16383; 100 * 32767 / 1280 = 2559, 700 * 32767 / 800 = 28671
        check(tablet.equals(List.of("ABS 0 16383", "ABS 1 16383", "ABS 0 2559", "ABS 1 28671", "KEY 273 1", "KEY 273 0", "REL 8 -2")),
                "the guest read the tablet's scaled positions, button and wheel exactly: " + tablet);

        String ended = awaitLog("vm: POWER_OFF", Duration.ofSeconds(120));
        fact("vm-end", ended);
        check(vgpu.waitFor(30, TimeUnit.SECONDS), "the platform stops after the guest's power-off");
        fact("vgpu-exit-status", vgpu.exitValue());
        check(vgpu.exitValue() == 0, "vgpu exits 0 after the power-off");
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
                "-Dvgpu.vm.append=console=ttyS0 panic=-1 vgpu.test=input vgpu.inputs=2 vgpu.hold=150", "-Dvgpu.vm.memory=512M",
                "-Dfelix.fileinstall.dir=" + work.resolve("load"), "-Dgosh.args=--nointeractive --noshutdown",
                "-jar", root.resolve("cnf/target/vgpu.jar").toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    }

    private String awaitLog(String marker, Duration timeout) throws Exception {
        return ScenarioSupport.awaitLog(log, vgpu, ConsoleLines.literal(marker), timeout);
    }

    private String shell(String command) throws Exception {
        return ScenarioSupport.shell(control, command);
    }
}
