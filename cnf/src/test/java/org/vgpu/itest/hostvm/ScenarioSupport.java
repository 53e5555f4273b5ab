package org.vgpu.itest.hostvm;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.vgpu.core.shell.ControlClient;
import org.vgpu.itest.guest.ConsoleLines;
import org.vgpu.itest.guest.GuestImage;
import org.vgpu.itest.guest.HostVmScenario;

/** What the host-VM scenarios share: checks, FACT lines for their IT, and vgpu's screen against the known image. */
final class ScenarioSupport {

    private ScenarioSupport() {
    }

    /** A scenario's steps: anything they throw fails the scenario. */
    interface Steps {
        void run() throws Exception;
    }

    /**
     * A scenario's main(): runs the steps, prints SCENARIO-OK or SCENARIO-FAILED with the trace and
     * vgpu's log (what HostVmScenario reports), stops vgpu either way and exits 0 or 1.
     */
    static void runAsMain(Steps steps, String logTitle, Steps printLog, Supplier<Process> vgpu) {
        int status = 1;
        try {
            steps.run();
            System.out.println("SCENARIO-OK");
            status = 0;
        } catch (Throwable t) {
            System.out.println("SCENARIO-FAILED " + t);
            t.printStackTrace(System.out);
            System.out.println("--- " + logTitle + " ---");
            try {
                printLog.run();
            } catch (Exception e) {
                System.out.println("(no vgpu log: " + e + ")");
            }
        } finally {
            stop(vgpu.get());
        }
        System.exit(status);
    }

    /** Ends a vgpu process: SIGTERM (the framework stops its bundles), then SIGKILL after 20 s. */
    static void stop(Process vgpu) {
        if (vgpu != null && vgpu.isAlive()) {
            vgpu.destroy();
            try {
                if (!vgpu.waitFor(20, TimeUnit.SECONDS)) {
                    vgpu.destroyForcibly();
                }
            } catch (InterruptedException e) {
                vgpu.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** A figure or table for the IT and the log: "FACT key = value", or "FACT key:" and "  | " lines. */
    static void fact(String key, Object value) {
        String v = String.valueOf(value).strip();
        if (v.contains("\n")) {
            System.out.println("FACT " + key + ":");
            v.lines().forEach(l -> System.out.println("  | " + l));
        } else {
            System.out.println("FACT " + key + " = " + v);
        }
    }

    /** A command line run in the vgpu behind the control socket; its output, or a failed check. */
    static String shell(Path control, String command) throws Exception {
        ControlClient.Reply r = ControlClient.run(control, command);
        check(r.status() == 0, command + " failed: " + r.error() + "\n" + r.output());
        return r.output();
    }

    /** vgpu:screenshot of the device's scanout 0 to png, compared with the guest's known image: pixels that differ. */
    static long screenMismatches(Path control, String device, Path png) throws Exception {
        Files.deleteIfExists(png);
        shell(control, "vgpu:screenshot " + device + " 0 " + png);
        BufferedImage img = ImageIO.read(png.toFile());
        int[] rgb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        return GuestImage.mismatches(rgb, img.getWidth(), img.getHeight());
    }

    /** vgpu's log (guest console and platform), or "" before it exists. */
    static String readLog(Path log) throws Exception {
        return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    }

    /**
     * How long the guest console may stay silent while a marker is awaited before vgpu:vm is asked
     * whether the guest's vCPU is wedged (a booting or drawing guest prints within seconds).
     */
    static final Duration SILENCE = Duration.ofSeconds(20);

    /** How far apart the two vgpu:vm readouts that tell a wedged vCPU are. */
    static final Duration READOUTS_APART = Duration.ofSeconds(3);

    /**
     * A marker not reached because the guest's vCPU was wedged in exception delivery: the
     * emulation's failure, not vgpu's. Its message starts with {@link HostVmScenario#GUEST_WEDGED},
     * which HostVmScenario retries the run on.
     */
    static final class GuestWedged extends AssertionError {
        private static final long serialVersionUID = 1L;
        private final String cause;

        GuestWedged(String cause, Pattern marker) {
            super(HostVmScenario.GUEST_WEDGED + " " + cause + " (while waiting for " + marker + ")");
            this.cause = cause;
        }

        String cause() {
            return cause;
        }
    }

    /** The cause when vgpu:vm read twice shows the guest's vCPU wedged ({@link HostVmScenario#wedgedVcpu}), else null. */
    private static String wedgedGuest(Path control) throws InterruptedException {
        String first = vmReadout(control);
        Thread.sleep(READOUTS_APART.toMillis());
        String wedged = HostVmScenario.wedgedVcpu(first, vmReadout(control));
        return wedged == null ? null : wedged + " (two readouts " + READOUTS_APART.toSeconds() + " s apart)";
    }

    /** vgpu:vm's output, or why there is none (vgpu gone, the VM not started). */
    private static String vmReadout(Path control) {
        try {
            return shell(control, "vgpu:vm");
        } catch (Exception | AssertionError e) {
            return "(no vgpu:vm: " + e.getMessage() + ")";
        }
    }

    /**
     * The first complete log line in which marker is found (a cut or interleaved line never
     * counts), waiting up to timeout; fails early if vgpu exits first, and with {@link GuestWedged}
     * as soon as the console has been silent for {@link #SILENCE} and vgpu:vm shows the vCPU
     * wedged. A plain timeout's message holds vgpu:vm's readout.
     */
    static String awaitLog(Path log, Process vgpu, Path control, Pattern marker, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long length = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            String text = readLog(log);
            var found = ConsoleLines.find(text, marker);
            if (found.isPresent()) {
                return found.get().line();
            }
            check(vgpu.isAlive() || ConsoleLines.find(readLog(log), marker).isPresent(), "vgpu exited ("
                    + (vgpu.isAlive() ? "" : vgpu.exitValue()) + ") before " + marker);
            if (text.length() != length) {
                length = text.length();
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= SILENCE.toNanos()) {
                String wedged = wedgedGuest(control);
                if (wedged != null) {
                    throw new GuestWedged(wedged, marker);
                }
                quietSince = System.nanoTime(); // asked again after the next silence
            }
            Thread.sleep(250);
        }
        // One line: a CI summary shows a failure's first line, and this one says where the guest was.
        String text = readLog(log);
        String last = text.strip().lines().reduce((a, b) -> b).orElse("");
        throw new AssertionError("no " + marker + " within " + timeout.toSeconds() + " s; VGPU- lines seen: "
                + ConsoleLines.broken(text, "VGPU-", marker) + "; last log line: '" + last + "'; vgpu:vm then: "
                + vmReadout(control).strip().replace("\n", " | "));
    }
}
