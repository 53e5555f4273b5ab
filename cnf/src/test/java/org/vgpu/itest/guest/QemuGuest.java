package org.vgpu.itest.guest;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

/**
 * One QEMU 10 guest (TCG) with a vhost-user GPU (or input device) on a given socket, and any
 * further vhost-user input devices on sockets of their own: the Debian 6.12 kernel and the test
 * initramfs, serial console to a file, QMP on a UNIX socket. Boots have a watchdog and one
 * retry. A microvm has no HPET or ACPI PM timer, so the kernel can calibrate its TSC only against
 * the PIT, which under TCG on a loaded machine fails (then the boot hangs: 4 of 4 boots with both
 * cores busy); a microvm guest is therefore told the TSC frequency (TCG's TSC is the host's).
 */
public final class QemuGuest implements AutoCloseable {
    public enum Machine { Q35, MICROVM }

    /** The marker bootUntil(String) parses as a whole "VGPU-IMAGE-DONE WxH" line. */
    public static final String IMAGE_DONE_MARKER = "VGPU-IMAGE-DONE";
    private static final Pattern FAIL = Pattern.compile("VGPU-FAIL");

    private final Machine machine;
    private final Path socket;
    private final Path dir;
    private final String append;
    private Process process;
    private int boot;
    private boolean kvm;
    private boolean qemu11;
    private String genericDevice;
    /** The shared results folder of a guest whose root is this machine's (hostRoot), else null. */
    private Path hostRootResults;
    /** Sockets of the vhost-user-input-pci devices beside the main device, in PCI order. */
    private final List<Path> inputSockets = new ArrayList<>();

    public QemuGuest(Machine machine, Path socket, Path dir, String append) {
        this.machine = machine;
        this.socket = socket;
        this.dir = dir;
        this.append = append;
    }

    /** Runs under KVM (-accel kvm -cpu host) instead of TCG: inside the test host VM, where KVM boots Linux. */
    public QemuGuest kvm() {
        kvm = true;
        return this;
    }

    /**
     * A guest whose root is this machine's, read-only over 9p (the gl initramfs; 2 GiB of RAM), so
     * Debian's Mesa and GL programs run in it: its /init runs results/hostvm.cmd in that root with
     * results as /tmp/results (writable, shared), then powers off. The script writes its markers
     * to /dev/ttyS0 for waitForSerial.
     */
    public QemuGuest hostRoot(Path results) {
        if (machine != Machine.Q35) {
            throw new IllegalStateException("the host-root guest is a q35 guest, not " + machine);
        }
        hostRootResults = results;
        return this;
    }

    /** Runs QEMU 11.1 from its trixie chroot (cnf/scripts/qemu-11; the set-up installs it) instead of QEMU 10. */
    public QemuGuest qemu11() {
        qemu11 = true;
        return this;
    }

    /**
     * QEMU 11.1's generic vhost-user-test-device-pci instead of vhost-user-gpu-pci (q35): it passes
     * every feature bit and the config space through and maps SHMEM regions into BAR 4, but has no
     * display socket. configSize: bytes of config space (the GPU's is 16).
     */
    public QemuGuest genericGpuDevice(int configSize) {
        qemu11 = true;
        genericDevice = "vhost-user-test-device-pci,chardev=vgpu,virtio-id=16,num_vqs=2,config_size=" + configSize;
        return this;
    }

    /** QEMU 10's vhost-user-input-pci (q35, no GPU) instead of vhost-user-gpu-pci: an input device served on the socket. */
    public QemuGuest inputDevice() {
        genericDevice = "vhost-user-input-pci,chardev=vgpu";
        return this;
    }

    /**
     * One more QEMU 10 vhost-user-input-pci (q35), on its own socket, beside the main device: call
     * once per input device. With inputDevice() a guest has several input devices and no GPU.
     */
    public QemuGuest addInputDevice(Path inputSocket) {
        if (machine != Machine.Q35) {
            throw new IllegalStateException("vhost-user-input-pci needs a PCI machine (q35), not " + machine);
        }
        inputSockets.add(inputSocket);
        return this;
    }

    public Path serialLog() {
        return dir.resolve("serial-" + boot + ".log");
    }

    public Process process() {
        return process;
    }

    /**
     * Boots and waits for a complete serial line containing marker; retries once on a hung or
     * crashed boot (not on VGPU-FAIL), printing the retry and its cause to the test output.
     */
    public String bootUntil(String marker, Duration timeout) throws Exception {
        return bootUntil(marker.equals(IMAGE_DONE_MARKER) ? ConsoleLines.IMAGE_DONE : ConsoleLines.literal(marker), timeout);
    }

    /** As bootUntil(String, Duration), for a marker pattern. */
    public String bootUntil(Pattern marker, Duration timeout) throws Exception {
        for (int attempt = 1; ; attempt++) {
            start();
            try {
                return waitForSerial(marker, timeout);
            } catch (IllegalStateException hung) {
                kill();
                if (attempt == 2) {
                    throw hung;
                }
                String cause = hung.getMessage().lines().findFirst().orElse("");
                System.out.println("BOOT-RETRY QEMU " + machine + " boot " + boot + ": " + cause);
            }
        }
    }

    public void start() throws IOException, InterruptedException {
        boot++;
        Files.createDirectories(dir);
        Files.deleteIfExists(qmpPath());
        List<String> cmd = new ArrayList<>(qemu11 ? List.of("bash", GuestSetup.root().resolve("cnf/scripts/qemu-11").toString())
                : List.of("qemu-system-x86_64"));
        String memory = hostRootResults != null ? "2048M" : "512M"; // Mesa, LLVM and the GL programs over 9p need more
        cmd.addAll(List.of("-accel", kvm ? "kvm" : "tcg", "-cpu", kvm ? "host" : "max", "-m", memory,
                "-object", "memory-backend-memfd,id=mem,size=" + memory + ",share=on",
                "-chardev", "socket,id=vgpu,path=" + socket,
                "-display", "none", "-nodefaults", "-no-reboot",
                "-serial", "file:" + serialLog(),
                "-qmp", "unix:" + qmpPath() + ",server=on,wait=off",
                "-kernel", GuestSetup.kernel().toString(),
                "-initrd", (hostRootResults != null ? GuestSetup.glInitramfs() : GuestSetup.initramfs()).toString(),
                "-append", "console=ttyS0 panic=-1 quiet " + (machine == Machine.MICROVM ? tscFrequency() : "") + append));
        if (hostRootResults != null) {
            String root = qemu11 ? "/host" : "/"; // QEMU 11.1 runs in its chroot, where cnf/scripts/qemu-11 binds this machine's root at /host
            cmd.addAll(List.of("-virtfs", "local,path=" + root + ",mount_tag=hostroot,security_model=none,readonly=on",
                    "-virtfs", "local,path=" + hostRootResults + ",mount_tag=results,security_model=none"));
        }
        if (machine == Machine.Q35) {
            cmd.addAll(List.of("-M", "q35,memory-backend=mem", "-vga", "none", "-device",
                    genericDevice != null ? genericDevice : "vhost-user-gpu-pci,chardev=vgpu"));
            for (int i = 0; i < inputSockets.size(); i++) {
                cmd.addAll(List.of("-chardev", "socket,id=input" + i + ",path=" + inputSockets.get(i),
                        "-device", "vhost-user-input-pci,chardev=input" + i));
            }
        } else {
            cmd.addAll(List.of("-M", "microvm,memory-backend=mem,acpi=on", "-global", "virtio-mmio.force-legacy=false",
                    "-device", "vhost-user-gpu,chardev=vgpu"));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu-" + boot + ".log").toFile()).start();
    }

    /** "tsc_early_khz=K " with the host's TSC frequency, or "" when /proc/cpuinfo does not tell it. */
    static String tscFrequency() throws IOException {
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        boolean known = cpuinfo.lines().anyMatch(l -> l.startsWith("flags") && l.contains(" tsc_known_freq"));
        return cpuinfo.lines().filter(l -> known && l.startsWith("cpu MHz")).findFirst()
                .map(l -> "tsc_early_khz=" + Math.round(Double.parseDouble(l.substring(l.indexOf(':') + 1).trim()) * 1000) + " ")
                .orElse("");
    }

    private Path qmpPath() {
        return dir.resolve("qmp.sock");
    }

    /** Waits for a complete serial line containing marker; returns it. A VGPU-FAIL line fails at once. */
    public String waitForSerial(String marker, Duration timeout) throws Exception {
        return waitForSerial(ConsoleLines.literal(marker), timeout);
    }

    /**
     * Waits for a complete serial line in which marker is found; returns it. A VGPU-FAIL line fails
     * at once. A line that only looks like the marker (cut or interleaved) does not count; at the
     * timeout the message names such lines.
     */
    public String waitForSerial(Pattern marker, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String log = serial();
            var found = ConsoleLines.find(log, marker);
            if (found.isPresent()) {
                return found.get().line();
            }
            var failed = ConsoleLines.find(log, FAIL);
            if (failed.isPresent()) {
                throw new AssertionError("guest failed: " + failed.get().line() + "\n" + log);
            }
            if (!process.isAlive()) {
                // Retryable like a hang: a guest that crashes during boot (seen with nested KVM under load) ends QEMU too.
                throw new IllegalStateException("QEMU exited (" + process.exitValue() + ") before '" + marker + "':\n"
                        + Files.readString(dir.resolve("qemu-" + boot + ".log")) + "\n" + serial());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + marker + "' on the serial console within " + timeout
                + brokenMarkers(serial(), marker) + ":\n" + serial());
    }

    /** The guest's marker lines seen so far, for a timeout's message: shows a marker that arrived cut or interleaved. */
    private static String brokenMarkers(String log, Pattern marker) {
        List<String> markers = ConsoleLines.broken(log, "VGPU-", marker);
        return markers.isEmpty() ? "" : " (VGPU- lines seen: " + markers + ")";
    }

    public String serial() throws IOException {
        return Files.exists(serialLog()) ? Files.readString(serialLog(), StandardCharsets.ISO_8859_1) : "";
    }

    /** Sends one QMP command (after the capabilities handshake) and returns the reply line. */
    public String qmp(String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(qmpPath()));
            var in = new java.io.BufferedReader(Channels.newReader(ch, StandardCharsets.UTF_8));
            in.readLine(); // greeting
            write(ch, "{\"execute\":\"qmp_capabilities\"}");
            readReply(in);
            write(ch, command);
            return readReply(in);
        }
    }

    private static void write(SocketChannel ch, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String readReply(java.io.BufferedReader in) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.contains("\"return\"") || line.contains("\"error\"")) {
                return line;
            }
        }
        throw new IOException("QMP closed");
    }

    /** QMP screendump to a PNG; returns the image as 0xRRGGBB pixels with its size. */
    public Screen screendump(Path png) throws IOException {
        Files.deleteIfExists(png);
        String reply = qmp("{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"" + png + "\",\"format\":\"png\"}}");
        if (!reply.contains("\"return\"")) {
            throw new IOException("screendump: " + reply);
        }
        BufferedImage img = ImageIO.read(png.toFile());
        int[] rgb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        return new Screen(img.getWidth(), img.getHeight(), rgb);
    }

    public record Screen(int width, int height, int[] rgb) {
    }

    /**
     * Screendumps until QEMU shows the guest's known image (the guest's fbdev flushes
     * asynchronously); doneLine is the guest's "VGPU-IMAGE-DONE WxH [inverted]" line. Returns the
     * pixels that still differ after 20 s (0 = exact), or -1 if the console size never matched.
     */
    public long awaitKnownImage(String doneLine, Path png) throws Exception {
        ConsoleLines.ImageDone done = ConsoleLines.ImageDone.of(doneLine);
        int w = done.width(), h = done.height();
        boolean inverted = done.inverted();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long bad;
        do {
            Screen screen = screendump(png);
            bad = screen.width() == w && screen.height() == h ? GuestImage.mismatches(screen.rgb(), w, h, inverted) : -1;
            if (bad == 0) {
                break;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        return bad;
    }

    /** SIGKILL, as a crashing VMM. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
