package org.vgpu.itest.hostvm;

import static org.vgpu.itest.hostvm.ScenarioSupport.check;
import static org.vgpu.itest.hostvm.ScenarioSupport.fact;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.jna.Pointer;

import org.vgpu.core.shell.ControlClient;
import org.vgpu.itest.guest.GuestImage;
import org.vgpu.itest.guest.GuestSetup;
import org.vgpu.itest.guest.QemuGuest;
import org.vgpu.itest.guest.QemuGuest.Machine;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * Runs inside the test host VM (real /dev/udmabuf, a KVM that boots Linux), started by
 * UdmabufGuestIT: the assembled vgpu runtime as its own process (udmabuf bundle included) serves
 * a QEMU guest booted with KVM that redraws a known image every second. Checks, through vgpu's
 * control socket, QEMU's screendump and the dma-buf itself:
 * (1) the guest framebuffer is a dma-buf resource, TRANSFER copies 0 bytes per frame while the
 * display still reads the pixels, QEMU shows the image pixel-exact, and the dma-buf (taken from the
 * vgpu process with pidfd_getfd and mapped here) holds the guest's pixels;
 * (2) stopping the udmabuf bundle moves the framebuffer to copy while the guest keeps drawing, and
 * the next screens are still pixel-exact. Prints FACT lines; exits 0 only if everything held.
 */
public final class UdmabufGuestScenario {
    static final String DEVICE = "gpu0";
    static final Duration BOOT = Duration.ofSeconds(180);

    private final Path work;
    private final Path control;
    private Process vgpu;

    private UdmabufGuestScenario(Path work) {
        this.work = work;
        this.control = work.resolve("control.sock");
    }

    public static void main(String[] args) throws Exception {
        UdmabufGuestScenario s = new UdmabufGuestScenario(Files.createTempDirectory("vgpu-udmabuf"));
        ScenarioSupport.runAsMain(s::run, "vgpu log", () -> System.out.println(Files.readString(s.work.resolve("vgpu.log"), StandardCharsets.UTF_8)),
                () -> s.vgpu);
    }

    private void run() throws Exception {
        Path socket = work.resolve("gpu.sock");
        startVgpu(socket);
        String backends = shell("vgpu:backends");
        fact("backends", backends);
        check(backends.lines().anyMatch(l -> l.startsWith("udmabuf ")), "udmabuf backend registered: " + backends);

        try (QemuGuest guest = new QemuGuest(Machine.Q35, socket, work.resolve("guest"), "vgpu.test=fbloop vgpu.hold=300").kvm()) {
            long t0 = System.nanoTime();
            String done = guest.bootUntil("VGPU-IMAGE-DONE", BOOT);
            fact("boot-to-image-ms", (System.nanoTime() - t0) / 1_000_000);
            check(guest.awaitKnownImage(done, work.resolve("screen-udmabuf.png")) == 0, "QEMU screendump pixel-exact on udmabuf");

            String id = framebufferId();
            String resource = shell("vgpu:resource " + id);
            fact("resource-udmabuf", resource);
            check(resource.lines().anyMatch(l -> l.startsWith("backend ") && l.contains("udmabuf")), "framebuffer on udmabuf: " + resource);
            Matcher fd = Pattern.compile("dma-buf\\s+fd (\\d+), (\\d+)x(\\d+), stride (\\d+)").matcher(resource);
            check(fd.find(), "resource shows its dma-buf: " + resource);

            Frames udmabuf = measureFrames(guest, "udmabuf", 4);
            check(udmabuf.copied == 0, "TRANSFER copied 0 bytes on udmabuf, copied " + udmabuf.copied);
            check(udmabuf.shared > 0, "TRANSFER shared bytes on udmabuf");
            check(udmabuf.displayRead > 0, "the display read pixels from the dma-buf mapping");

            long bad = dmabufMismatches(Integer.parseInt(fd.group(1)), Integer.parseInt(fd.group(2)),
                    Integer.parseInt(fd.group(3)), Integer.parseInt(fd.group(4)));
            fact("dmabuf-mismatching-pixels", bad);
            check(bad == 0, "the dma-buf mapped here holds the guest's image: " + bad + " pixels differ");

            // (2) the udmabuf bundle leaves while the guest keeps drawing
            String bundle = shell("lb -s").lines().filter(l -> l.contains("org.vgpu.backend.udmabuf")).findFirst().orElseThrow();
            String bundleId = bundle.trim().split("[\\s|]+")[0];
            long s0 = System.nanoTime();
            shell("stop " + bundleId);
            fact("bundle-stop-ms", (System.nanoTime() - s0) / 1_000_000);
            String moved = shell("vgpu:resource " + id);
            fact("resource-after-stop", moved);
            check(moved.lines().anyMatch(l -> l.startsWith("backend ") && l.contains("copy")), "framebuffer moved to copy: " + moved);
            check(vgpuScreenMismatches() == 0, "vgpu's own screen right after the move is the guest's image");

            Frames copy = measureFrames(guest, "copy", 3);
            check(copy.copied > 0, "TRANSFER copies on the copy backend after the move");
            check(guest.awaitKnownImage(done, work.resolve("screen-copy.png")) == 0, "QEMU screendump pixel-exact after the move");
            check(vgpuScreenMismatches() == 0, "vgpu's screen pixel-exact on copy");
            check(guest.process().isAlive(), "the guest kept running");
        }
    }

    private void startVgpu(Path socket) throws Exception {
        Path root = GuestSetup.root();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        vgpu = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx768m",
                "-Dvgpu.socket.path=" + socket, "-Dvgpu.control.socket=" + control,
                "-Dvgpu.virgl=false", // these guests test the 2D, blob and cross-domain paths
                "-Dfelix.fileinstall.dir=" + work.resolve("load"), "-Dgosh.args=--nointeractive --noshutdown",
                "-jar", root.resolve("cnf/target/vgpu.jar").toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("vgpu.log").toFile()).start();
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(180).toNanos();
        while (!(Files.exists(control) && Files.exists(socket) && commandsUp()) && System.nanoTime() < deadline) {
            check(vgpu.isAlive(), "vgpu exited: " + Files.readString(work.resolve("vgpu.log")));
            Thread.sleep(200);
        }
        check(Files.exists(socket), "vgpu's vhost-user socket");
        fact("vgpu-start-ms", (System.nanoTime() - t0) / 1_000_000);
    }

    private boolean commandsUp() {
        try {
            ControlClient.Reply r = ControlClient.run(control, "vgpu:devices");
            return r.status() == 0 && r.output().contains(DEVICE + " ");
        } catch (Exception e) {
            return false;
        }
    }

    private String shell(String command) throws Exception {
        return ScenarioSupport.shell(control, command);
    }

    private String framebufferId() throws Exception {
        String resources = shell("vgpu:resources " + DEVICE);
        fact("resources", resources);
        return resources.lines().filter(l -> l.contains("1280x800")).findFirst()
                .orElseThrow(() -> new AssertionError("no 1280x800 framebuffer: " + resources)).trim().split("\\s+")[1];
    }

    record Frames(long transfers, long copied, long shared, long displayRead) {
    }

    /** Counter deltas over the next n guest redraws (VGPU-FRAME lines). */
    private Frames measureFrames(QemuGuest guest, String backend, int n) throws Exception {
        int first = lastFrame(guest);
        long[] before = counters(backend);
        long t0 = System.nanoTime();
        guest.waitForSerial(java.util.regex.Pattern.compile("VGPU-FRAME " + (first + n + 1) + "\\s*$"), Duration.ofSeconds(60));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long[] after = counters(backend);
        Frames f = new Frames(after[0] - before[0], after[1] - before[1], after[2] - before[2], after[3] - before[3]);
        long frames = Math.max(1, f.transfers);
        fact(backend + "-frames", f.transfers + " TRANSFERs in " + ms + " ms; per TRANSFER: " + f.copied / frames
                + " bytes copied, " + f.shared / frames + " bytes shared, " + f.displayRead / frames + " display bytes");
        check(f.transfers >= n, "the guest kept drawing: " + f.transfers + " TRANSFERs");
        return f;
    }

    private static int lastFrame(QemuGuest guest) throws Exception {
        java.util.regex.Pattern frame = java.util.regex.Pattern.compile("^VGPU-FRAME (\\d{1,9})\\s*$");
        return org.vgpu.itest.guest.ConsoleLines.complete(guest.serial()).stream().map(frame::matcher).filter(java.util.regex.Matcher::find)
                .mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(0);
    }

    /** {TRANSFER_TO_HOST_2D count, backend's bytes copied, shared, display read}. */
    private long[] counters(String backend) throws Exception {
        String stats = shell("vgpu:stats");
        long transfers = stats.lines().filter(l -> l.startsWith("TRANSFER_TO_HOST_2D ")).mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[1]))
                .findFirst().orElseThrow();
        long[] b = stats.lines().filter(l -> l.startsWith(backend + " ")).findFirst()
                .map(l -> l.trim().split("\\s+")).map(p -> new long[] {Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3])})
                .orElse(new long[3]);
        return new long[] {transfers, b[0], b[1], b[2]};
    }

    /** Maps the vgpu process's dma-buf here (pidfd_getfd) and compares it with the guest's image. */
    private long dmabufMismatches(int remoteFd, int w, int h, int stride) throws Exception {
        int pidfd = LinuxNative.check("pidfd_open", LinuxNative.pidfdOpen((int) vgpu.pid()));
        int fd = LinuxNative.check("pidfd_getfd", LinuxNative.pidfdGetfd(pidfd, remoteFd));
        long size = (long) stride * h;
        long addr = LinuxNative.mmap(0, size, LinuxNative.PROT_READ, LinuxNative.MAP_SHARED, fd, 0);
        try {
            check(addr != LinuxNative.MAP_FAILED, "mmap of the dma-buf: errno " + LinuxNative.errno());
            ByteBuffer px = new Pointer(addr).getByteBuffer(0, size).order(ByteOrder.LITTLE_ENDIAN);
            int[] rgb = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    rgb[y * w + x] = px.getInt(y * stride + x * 4) & 0xffffff; // B,G,R,X bytes = 0xXXRRGGBB
                }
            }
            return GuestImage.mismatches(rgb, w, h);
        } finally {
            if (addr != LinuxNative.MAP_FAILED) {
                LinuxNative.munmap(addr, size);
            }
            LinuxNative.close(fd);
            LinuxNative.close(pidfd);
        }
    }

    private long vgpuScreenMismatches() throws Exception {
        return ScenarioSupport.screenMismatches(control, DEVICE, work.resolve("vgpu-screen.png"));
    }
}
