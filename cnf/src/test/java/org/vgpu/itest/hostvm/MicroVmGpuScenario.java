package org.vgpu.itest.hostvm;

import static org.vgpu.itest.hostvm.ScenarioSupport.check;
import static org.vgpu.itest.hostvm.ScenarioSupport.fact;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


import org.vgpu.itest.guest.ConsoleLines;
import org.vgpu.itest.guest.GuestImage;
import org.vgpu.itest.guest.GuestSetup;
import org.vgpu.itest.guest.HostCompositor;

/**
 * Runs inside the test host VM (its KVM boots Linux), started by MicroVmGpuIT: the assembled
 * vgpu runtime boots the Debian 6.12 guest in its own micro-VM (what ./vgpu vm does) with gpu0 on
 * virtio-mmio. The guest's virtio_gpu driver binds over virtio-mmio and draws the known image;
 * through vgpu's control socket this checks that vgpu's own screenshot is that image pixel-exact,
 * that vgpu:resources shows the framebuffer and vgpu:transports the virtio-mmio binding, counts
 * queue kicks (ioeventfds) and completions, and that the platform exits 0 when the guest powers
 * off. Prints FACT lines; exits 0 only if everything held.
 */
public final class MicroVmGpuScenario {
    static final String DEVICE = "gpu0";
    static final Duration BOOT = Duration.ofSeconds(240);
    static final Duration POWER_OFF = Duration.ofSeconds(150);
    /** The kernel's first console line normally comes 5-10 s after "vm: booting" here. */
    static final Duration FIRST_CONSOLE_LINE = Duration.ofSeconds(90);

    private final Path work;
    private final Path control;
    private final Path log;
    private Process vgpu;
    /** gpu0 with the cross-domain context (VIRGL + CONTEXT_INIT offered), as ./vgpu vm --cross-domain. */
    private boolean crossDomain;
    /** The guest draws into a HOST3D blob it maps (vgpu.test=hostblob, needs crossDomain) instead of /dev/fb0. */
    private boolean hostBlob;
    /** A zero-copy window on a weston in the host VM over gpu0's cross-domain Wayland channel (vgpu.test=wayland). */
    private boolean wayland;
    private HostCompositor compositor;
    /** Benchmark instead of checks: the guest measures (vgpu.test=hostblob-bench), we count VM exits per frame. */
    private boolean bench;
    /** When the last vgpu start began, and when its guest printed its first console line. */
    private long startedAt;
    private long consoleAt;

    private MicroVmGpuScenario(Path work) {
        this.work = work;
        this.control = work.resolve("control.sock");
        this.log = work.resolve("vgpu.log");
    }

    public static void main(String[] args) throws Exception {
        MicroVmGpuScenario s = new MicroVmGpuScenario(Files.createTempDirectory("vgpu-microvm"));
        s.bench = java.util.Arrays.asList(args).contains("--bench");
        s.hostBlob = s.bench || java.util.Arrays.asList(args).contains("--hostblob");
        s.wayland = java.util.Arrays.asList(args).contains("--wayland");
        s.crossDomain = s.hostBlob || s.wayland || java.util.Arrays.asList(args).contains("--cross-domain");
        ScenarioSupport.runAsMain(s::run, "vgpu log (guest console and platform)", () -> System.out.println(s.readLog()), () -> s.vgpu);
    }

    private void run() throws Exception {
        if (bench) {
            benchmark();
            return;
        }
        if (wayland) {
            compositor = HostCompositor.start(work, WINDOW_W, WINDOW_H);
            try {
                waylandWindow();
            } finally {
                compositor.close();
            }
            return;
        }
        String done = bootUntil(ConsoleLines.IMAGE_DONE);
        fact("platform-start-to-boot-ms", (consoleAt - startedAt) / 1_000_000);
        fact("boot-to-image-ms", (System.nanoTime() - consoleAt) / 1_000_000);
        ConsoleLines.ImageDone size = ConsoleLines.ImageDone.of(done);
        String wxh = size.width() + "x" + size.height();
        fact("guest-framebuffer", wxh);
        String drm = readLog().lines().filter(l -> l.contains("[drm]")).reduce("", (a, b) -> a + b + "\n");
        fact("guest-drm", drm);
        // virtio_gpu read SHMLen/SHMBase over virtio-mmio and reserved the region for MAP_BLOB.
        check(drm.contains("Host memory window: 0x100000000 +0x40000000"), "the guest found the 1 GiB HOST_VISIBLE region at 4 GiB");
        check(drm.contains("+host_visible"), "the guest driver uses host-visible memory");

        String devices = shell("vgpu:devices");
        fact("devices", devices);
        if (crossDomain) {
            check(drm.contains("+virgl") && drm.contains("+context_init"), "the guest took the 3D path with context init");
        }

        String transports = shell("vgpu:transports");
        fact("transports", transports);
        check(transports.lines().anyMatch(l -> l.startsWith("virtio-mmio") && l.contains("micro-VM") && l.contains(DEVICE)
                && l.contains("active") && l.contains("0xd0000000")), "vgpu:transports shows gpu0 active on virtio-mmio");
        for (String input : java.util.List.of("keyboard0", "tablet0")) {
            check(transports.lines().anyMatch(l -> l.startsWith("virtio-mmio") && l.contains(" " + input + " ")),
                    input + " is on the micro-VM's bus beside gpu0, as ./vgpu vm " + (crossDomain ? "--cross-domain " : "") + "gives it");
        }

        String resources = shell("vgpu:resources " + DEVICE);
        fact("resources", resources);
        check(resources.lines().anyMatch(l -> l.startsWith(DEVICE) && l.contains(wxh)),
                "vgpu:resources shows the " + wxh + " framebuffer");

        if (hostBlob) {
            checkHostBlob(resources);
        }

        long bad = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (bad != 0 && System.nanoTime() < deadline) { // the last FLUSH may still be on its way
            bad = screenMismatches();
            if (bad != 0) {
                Thread.sleep(500);
            }
        }
        fact("screenshot-mismatching-pixels", bad);
        check(bad == 0, "vgpu's screenshot is the guest's image: " + bad + " pixels differ");

        String queues = shell("vgpu:queues " + DEVICE);
        fact("queues", queues);
        long[] control0 = queueCounters(queues, 0);
        fact("controlq", "kicks " + control0[0] + ", interrupts " + control0[1] + ", chains " + control0[2]);
        check(control0[0] > 0, "the guest's kicks reached the device (QueueNotify ioeventfd)");
        check(control0[2] > 0 && control0[1] > 0, "completions went back through the irqfd");

        String ended = awaitLog("vm: POWER_OFF", POWER_OFF);
        fact("vm-end", ended);
        Matcher exits = Pattern.compile("after ([0-9.]+) s, (\\d+) exits").matcher(ended);
        if (exits.find()) {
            fact("vm-run-s", exits.group(1));
            fact("vm-exits", exits.group(2));
        }
        check(vgpu.waitFor(30, TimeUnit.SECONDS), "the platform stops after the guest's power-off");
        fact("vgpu-exit-status", vgpu.exitValue());
        check(vgpu.exitValue() == 0, "vgpu exits 0 after the power-off");
    }

    /**
     * The figures, printed: guest-visible write bandwidth into a hostmem blob mapping vs into
     * guest RAM (same guest, same run), blob create+MAP_BLOB+first-touch latency, and VM exits per frame
     * (a frame = the guest rewrites the 1280x800 blob and DIRTYFB, i.e. one RESOURCE_FLUSH).
     */
    private void benchmark() throws Exception {
        System.out.println(bootUntil(ConsoleLines.literal("VGPU-BENCH write")).trim());
        System.out.println(awaitLog("VGPU-BENCH blob create", BOOT).trim());
        String begin = awaitLog("VGPU-BENCH-FRAMES-BEGIN", BOOT);
        long exits0 = vmExits();
        String end = awaitLog("VGPU-BENCH-FRAMES-END", BOOT);
        long exits1 = vmExits();
        int frames = Integer.parseInt(begin.replaceAll(".*VGPU-BENCH-FRAMES-BEGIN (\\d+).*", "$1"));
        System.out.println(end.trim());
        System.out.printf("VGPU-BENCH VM exits per frame: %.1f (%d exits over %d frames, 4 s of idle guest included)%n",
                (double) (exits1 - exits0) / frames, exits1 - exits0, frames);
        String stats = shell("vgpu:stats");
        System.out.println("VGPU-BENCH " + stats.lines().filter(l -> l.startsWith("hostmem ")).findFirst().orElse("hostmem: no row")
                + "   (BACKEND, BYTES COPIED, BYTES SHARED, DISPLAY READ)");
    }

    static final int WINDOW_W = 640, WINDOW_H = 480;

    /**
     * The micro-VM guest's vgpu-wlwindow (Wayland spoken over the channel itself: that guest has no
     * libwayland) shows the known image in a HOST3D blob on weston: weston's screenshot is that
     * image pixel-exact, vgpu copied nothing, and vgpu:contexts shows the channel to that weston.
     */
    private void waylandWindow() throws Exception {
        String shown = bootUntil(ConsoleLines.literal("VGPU-WL-WINDOW-SHOWN"));
        fact("wayland-window", shown.trim());
        String drm = readLog().lines().filter(l -> l.contains("[drm]")).reduce("", (a, b) -> a + b + "\n");
        check(drm.contains("+context_init") && drm.contains("+host_visible"), "the guest has context init and host-visible memory: " + drm);
        check(shown.contains("VGPU-WL-WINDOW-SHOWN " + WINDOW_W + "x" + WINDOW_H), "the window has the output's size: " + shown);
        long bad = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (bad != 0 && System.nanoTime() < deadline) {
            java.awt.image.BufferedImage img = compositor.screenshot();
            bad = img.getWidth() != WINDOW_W || img.getHeight() != WINDOW_H ? -1
                    : GuestImage.mismatches(img.getRGB(0, 0, WINDOW_W, WINDOW_H, null, 0, WINDOW_W), WINDOW_W, WINDOW_H, false);
            if (bad != 0) {
                Thread.sleep(500);
            }
        }
        fact("weston-screenshot-mismatching-pixels", bad);
        check(bad == 0, "weston's screenshot shows the guest's window pixel-exact: " + bad + " pixels differ");
        String contexts = shell("vgpu:contexts");
        fact("contexts", contexts);
        check(contexts.contains("wayland channel " + compositor.socket()), "the guest's channel to the host VM's weston");
        String hostmem = shell("vgpu:stats").lines().filter(l -> l.startsWith("hostmem ")).findFirst().orElse("hostmem 0 0 0");
        fact("hostmem-stats", hostmem);
        check(hostmem.trim().split("\\s+")[1].equals("0"), "nothing copied for the window's blob: " + hostmem);
        String ended = awaitLog("vm: POWER_OFF", POWER_OFF);
        fact("vm-end", ended);
        check(vgpu.waitFor(30, TimeUnit.SECONDS), "the platform stops after the guest's power-off");
        fact("vgpu-exit-status", vgpu.exitValue());
        check(vgpu.exitValue() == 0, "vgpu exits 0 after the power-off");
    }

    /** The VM exit count for a retry's message, or why there is none. */
    private String exitsIfRunning() {
        try {
            return vgpu.isAlive() ? Long.toString(vmExits()) : "- (vgpu ended)";
        } catch (Exception | AssertionError e) {
            return "- (" + e.getMessage() + ")";
        }
    }

    private long vmExits() throws Exception {
        Matcher m = Pattern.compile("(\\d+) VM exits").matcher(shell("vgpu:transports"));
        check(m.find(), "vgpu:transports shows the VM exit count");
        return Long.parseLong(m.group(1));
    }

    /** The scanout shows a hostmem blob the guest mapped and wrote: no TRANSFER, no copy. */
    private void checkHostBlob(String resources) throws Exception {
        String made = ConsoleLines.complete(readLog()).stream().filter(l -> l.contains("VGPU-HOSTBLOB")).findFirst().orElse("");
        fact("hostblob", made);
        check(made.contains("stride=5120 size=4096000"), "the guest got the image requirements from the query ring: " + made);
        String line = resources.lines().filter(l -> l.startsWith(DEVICE) && l.contains("hostmem")).findFirst()
                .orElseThrow(() -> new AssertionError("no hostmem resource: " + resources));
        String id = line.trim().split("\\s+")[1];
        String detail = shell("vgpu:resource " + id);
        fact("hostblob-resource", detail);
        check(detail.contains("host-visible region offset 0x"), "the blob is mapped into the guest");
        check(detail.lines().anyMatch(l -> l.startsWith("scanouts") && l.contains("[0]")), "the blob is on scanout 0");
        String contexts = shell("vgpu:contexts");
        fact("contexts", contexts);
        check(contexts.contains("cross-domain"), "the guest's cross-domain context");
        String stats = shell("vgpu:stats");
        String hostmem = stats.lines().filter(l -> l.startsWith("hostmem ")).findFirst().orElse("hostmem 0 0 0");
        fact("hostmem-stats", hostmem);
        check(hostmem.trim().split("\\s+")[1].equals("0"), "nothing copied for the host blob: " + hostmem);
    }

    /**
     * Starts vgpu and waits for marker on the guest console. Booted once more (printed with its
     * cause) when the guest never printed (a nested boot under TCG has once printed nothing for
     * 240 s; the retry's VM exit counts 5 s apart tell a spinning guest from a stopped one), crashed
     * before the marker (a triple fault or a panic under nested KVM on TCG, seen after the kernel
     * freed its init memory), or wedged in exception delivery ({@link ScenarioSupport.GuestWedged}:
     * CI once waited 240 s after the guest's first lines for an image that never came, the vCPU unread).
     */
    private String bootUntil(Pattern marker) throws Exception {
        for (int attempt = 1;; attempt++) {
            startVgpu();
            String cause;
            try {
                awaitLog("vm: booting", BOOT);
                awaitLog("Linux version", FIRST_CONSOLE_LINE);
                consoleAt = System.nanoTime();
                return awaitLog(marker, BOOT);
            } catch (AssertionError failed) {
                cause = failed instanceof ScenarioSupport.GuestWedged wedged ? "the guest's vCPU wedged: " + wedged.cause() : retryCause();
                if (attempt == 2 || cause == null) {
                    throw failed;
                }
            }
            fact("boot-retry", cause);
            System.out.println("BOOT-RETRY MICROVM boot " + attempt + ": " + cause);
            ScenarioSupport.stop(vgpu);
            Files.move(log, work.resolve("vgpu-boot" + attempt + ".log"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Why a failed boot may be retried, or null when the failure is not the guest's boot. */
    private String retryCause() throws Exception {
        String text = readLog();
        if (ConsoleLines.find(text, ConsoleLines.literal("Linux version")).isEmpty()) {
            String exits = exitsIfRunning();
            Thread.sleep(5000);
            return "no guest console output within " + FIRST_CONSOLE_LINE.toSeconds() + " s; VM exits " + exits
                    + ", 5 s later " + exitsIfRunning();
        }
        return text.lines().filter(l -> l.contains("vm: RESET") || l.contains("Kernel panic")).findFirst()
                .map(l -> "the guest crashed: " + l.trim()).orElse(null);
    }

    private void startVgpu() throws Exception {
        startedAt = System.nanoTime();
        Path root = GuestSetup.root();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx768m",
                "-Dvgpu.control.socket=" + control,
                "-Dvgpu.vm.kernel=" + GuestSetup.kernel(), "-Dvgpu.vm.initrd=" + GuestSetup.initramfs(),
                "-Dvgpu.vm.append=console=ttyS0 panic=-1 vgpu.test=" + (bench ? "hostblob-bench" : hostBlob ? "hostblob" : wayland ? "wayland" : "fbimage")
                        + " vgpu.hold=" + (bench ? 240 : 60), "-Dvgpu.vm.memory=512M",
                "-Dvgpu.vm.cross-domain=" + crossDomain,
                "-Dvgpu.virgl=false", // these guests test the 2D, blob and cross-domain paths
                "-Dfelix.fileinstall.dir=" + work.resolve("load"), "-Dgosh.args=--nointeractive --noshutdown",
                "-jar", root.resolve("cnf/target/vgpu.jar").toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        if (wayland) { // gpu0's wayland.socket default: $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY, as a user's session gives it
            pb.environment().put("XDG_RUNTIME_DIR", compositor.socket().getParent().toString());
            pb.environment().put("WAYLAND_DISPLAY", compositor.socket().getFileName().toString());
        }
        vgpu = pb.start();
    }

    /** The first complete log line containing marker, waiting up to timeout; fails early if vgpu exits first. */
    private String awaitLog(String marker, Duration timeout) throws Exception {
        return awaitLog(ConsoleLines.literal(marker), timeout);
    }

    /** The first complete log line in which marker is found (a cut or interleaved line never counts). */
    private String awaitLog(Pattern marker, Duration timeout) throws Exception {
        return ScenarioSupport.awaitLog(log, vgpu, control, marker, timeout);
    }

    private String readLog() throws Exception {
        return ScenarioSupport.readLog(log);
    }

    private String shell(String command) throws Exception {
        return ScenarioSupport.shell(control, command);
    }

    /** {kicks, calls, chains} of one queue row of vgpu:queues. */
    private static long[] queueCounters(String table, int queue) {
        for (String line : table.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 11 && f[0].equals(DEVICE) && f[1].equals(String.valueOf(queue))) {
                return new long[] {Long.parseLong(f[7]), Long.parseLong(f[8]), Long.parseLong(f[9])};
            }
        }
        throw new AssertionError("no queue " + queue + " in " + table);
    }

    private long screenMismatches() throws Exception {
        return ScenarioSupport.screenMismatches(control, DEVICE, work.resolve("vgpu-screen.png"));
    }
}
