package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vgpu.itest.guest.BoundedProcess;
import org.vgpu.itest.guest.ConsoleLines;
import org.vgpu.itest.guest.GuestImage;
import org.vgpu.itest.guest.GuestSetup;
import org.vgpu.itest.guest.HostCompositor;
import org.vgpu.itest.guest.QemuGuest;
import org.vgpu.itest.guest.QemuGuest.Machine;
import org.vgpu.itest.guest.ServedGpu;
import org.vgpu.itest.guest.VirglBundle;

/**
 * Guest Wayland clients on a real host compositor through vgpu's cross-domain channels: a Linux
 * 6.12 guest under QEMU 11.1 (TCG) on vhost-user-test-device-pci, with vgpu's host-visible region
 * in BAR 4 through SHMEM, its root this machine's over 9p (cnf/scripts/guest/wayland-tests). In the
 * guest, vgpu-wlproxy relays unmodified clients to weston on the host (HostCompositor):
 * <ol>
 * <li>a zero-copy client (its buffer a HOST3D blob passed as a VIRTGPU_BLOB identifier) shows the
 * known image in weston's screenshot pixel-exact, nothing copied by the proxy or by vgpu; the
 * same client received weston's keymap through the channel (a blob it read through a mapping);</li>
 * <li>Debian's weston-simple-shm, unmodified, appears and animates (its wl_shm pool copied by the
 * proxy into a host blob on each commit);</li>
 * <li>clipboard text set by a guest client is pasted by a host client, and the other way round,
 * through pipes over the channel;</li>
 * <li>a guest program naming on its channel another context's resource, no resource, a wrong
 * read-pipe id, a SYNC identifier, 29 identifiers, and a second channel: each SEND is refused
 * with the spec's error and nothing of them reaches weston (a sync after them is answered alone);</li>
 * <li>weston killed under a shown window: the guest client sees the connection end, the proxy the
 * channel's hang-up; another context of the device then draws and scans out pixel-exact.</li>
 * </ol>
 */
class WaylandGuestIT {
    static final String DEVICE = "gpuWL";
    static final int W = 640, H = 480;
    static final Duration BOOT = Duration.ofSeconds(240);
    static final Duration STEP = Duration.ofSeconds(120);
    static BundleContext context;
    static Path dir;
    static HostCompositor weston;
    static ServedGpu served;

    @BeforeAll
    static void configure() throws Exception {
        context = FrameworkUtil.getBundle(WaylandGuestIT.class).getBundleContext();
        VirglBundle.stop(context); // cross-domain only: the proxy's contexts are capset 5
        dir = Files.createTempDirectory("vgpu-wl");
        weston = HostCompositor.start(dir, W, H);
        ConfigurationAdmin cm = context.getService(context.getServiceReference(ConfigurationAdmin.class));
        served = ServedGpu.create(cm, "wl", DEVICE, dir.resolve("gpu.sock"),
                Map.of("cross.domain", true, "wayland.socket", weston.socket().toString()), Map.of("host.visible.mib", 64));
    }

    @AfterAll
    static void unconfigure() throws Exception {
        if (served != null) {
            served.delete();
        }
        if (weston != null) {
            weston.close();
        }
        VirglBundle.start(context);
    }

    @Test
    void guestWaylandClientsShowOnTheHostCompositorThroughVgpu() throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        build(results);
        Files.copy(GuestSetup.root().resolve("cnf/scripts/guest/wayland-tests"), results.resolve("hostvm.cmd"));
        CommandProcessor shell = context.getService(context.getServiceReference(CommandProcessor.class));
        try (QemuGuest guest = new QemuGuest(Machine.Q35, served.socket(), dir.resolve("guest"), "vt.global_cursor_default=0").genericGpuDevice(16).hostRoot(results)) {
            // 1. The zero-copy window, and the keymap.
            String zeroCopy = guest.bootUntil(Pattern.compile("^VGPU-WL-ZERO-COPY "), BOOT);
            String features = line(guest, "VGPU-WL-FEATURES");
            assertTrue(features.contains("+context_init") && features.contains("+host_visible"), features);
            assertTrue(zeroCopy.contains("VGPU-WL-SHOWN " + W + "x" + H + " zero-copy"), zeroCopy);
            assertTrue(zeroCopy.contains("VGPU-WL-KEYMAP size=") && zeroCopy.endsWith(" xkb_keymap {"),
                    "the client read weston's keymap through the channel: " + zeroCopy);
            int[] window = awaitScreen(rgb -> mismatches(rgb, W, H));
            assertEquals(0, mismatches(window, W, H), "weston's screenshot shows the guest's window pixel-exact");
            String stats = ShellIT.run(shell, "vgpu:stats " + DEVICE);
            assertEquals(0, statsCount(stats, "hostmem"), "vgpu copied nothing into or out of the window's host blobs: " + stats);
            String contexts = ShellIT.run(shell, "vgpu:contexts");
            assertTrue(contexts.contains("wayland channel " + weston.socket()), contexts);
            Files.writeString(results.resolve("step-zero-copy"), "");

            // 2. weston-simple-shm, unmodified: it appears and animates.
            guest.waitForSerial(ConsoleLines.literal("VGPU-WL-SIMPLE-SHM-STARTED"), STEP);
            // Its window: lit, and not the zero-copy client's image that was there before it.
            Check simpleShm = rgb -> lit(rgb) > 200 * 200 && mismatches(rgb, W, H) > W * H / 2 ? 0 : 1;
            int[] first = awaitShown(simpleShm);
            int[] second = awaitShown(rgb -> simpleShm.mismatches(rgb) == 0 && differing(first, rgb) != 0 ? 0 : 1);
            assertEquals(0, simpleShm.mismatches(second), "the window is still there: " + lit(second) + " pixels lit");
            assertNotEquals(0, differing(first, second), "weston-simple-shm animates: two screenshots differ");
            Files.writeString(results.resolve("step-simple-shm"), "");
            String ended = guest.waitForSerial(ConsoleLines.literal("VGPU-WL-SIMPLE-SHM-ENDED"), STEP);
            assertTrue(ended.contains("rc=0") || ended.contains("rc=130"), "weston-simple-shm ran until stopped: " + ended);

            // 3. Clipboard, guest to host.
            guest.waitForSerial(ConsoleLines.literal("VGPU-WL-GUEST-COPIED"), STEP);
            BoundedProcess paste = BoundedProcess.run(weston.client("host-paste", clientBinary(results), "--shm", "--paste"), STEP);
            assertTrue(paste.output().contains("VGPU-WL-PASTE text from the guest\n"), "the host client pasted the guest's text: " + paste);
            Files.writeString(results.resolve("step-host-pasted"), "");

            // 4. Clipboard, host to guest.
            Process copy = weston.client("host-copy", clientBinary(results), "--shm", "--copy", "text from the host", "--hold", "120").start();
            try {
                long deadline = System.nanoTime() + STEP.toNanos();
                while (!weston.clientLog("host-copy").contains("VGPU-WL-COPY-SET") && System.nanoTime() < deadline && copy.isAlive()) {
                    Thread.sleep(100);
                }
                assertTrue(weston.clientLog("host-copy").contains("VGPU-WL-COPY-SET"), weston.clientLog("host-copy"));
                Files.writeString(results.resolve("step-host-copied"), "");
                String pasted = guest.waitForSerial(ConsoleLines.literal("VGPU-WL-GUEST-PASTE"), STEP);
                assertTrue(pasted.endsWith("rc=0 VGPU-WL-PASTE text from the host"), "the guest pasted the host's text: " + pasted);
            } finally {
                copy.destroy();
                copy.waitFor();
            }

            // 5. A guest naming on its channel what it does not own: refused, nothing reaches weston.
            guest.waitForSerial(ConsoleLines.literal("VGPU-WL-HOSTILE-BEGIN"), STEP);
            String before = ShellIT.run(shell, "vgpu:stats " + DEVICE);
            Files.writeString(results.resolve("step-hostile"), "");
            String hostile = guest.waitForSerial(ConsoleLines.literal("VGPU-WL-HOSTILE-DONE"), STEP);
            assertTrue(hostile.endsWith("rc=0 VGPU-WL-HOSTILE sent=6 answer: ids=0 callbacks=2"),
                    "weston answered the well-formed sync only: none of the refused SENDs reached it: " + hostile);
            String afterHostile = ShellIT.run(shell, "vgpu:stats " + DEVICE);
            assertEquals(2, statsCount(afterHostile, "ERR_INVALID_RESOURCE_ID") - statsCount(before, "ERR_INVALID_RESOURCE_ID"),
                    "another context's resource and no resource: " + afterHostile);
            assertEquals(4, statsCount(afterHostile, "ERR_INVALID_PARAMETER") - statsCount(before, "ERR_INVALID_PARAMETER"),
                    "a wrong read-pipe id, a SYNC identifier, 29 identifiers, a second channel: " + afterHostile);
            Files.writeString(results.resolve("step-hostile-checked"), "");

            // 6. The compositor killed under a shown window.
            guest.waitForSerial(ConsoleLines.literal("VGPU-WL-BEFORE-KILL"), STEP);
            weston.killCompositor();
            String after = guest.waitForSerial(ConsoleLines.literal("VGPU-WL-AFTER-KILL"), STEP);
            assertTrue(after.contains("VGPU-WL-HANGUP") && after.contains("VGPU-WLPROXY-HANGUP"),
                    "the client's connection ended with the channel's hang-up: " + after);
            String hostblob = guest.waitForSerial(ConsoleLines.literal("VGPU-WL-HOSTBLOB"), STEP);
            ConsoleLines.ImageDone image = ConsoleLines.ImageDone.of(hostblob.substring(hostblob.indexOf("VGPU-IMAGE-DONE")));
            assertEquals(0, VgpuScreens.awaitKnownImage(shell, DEVICE, image, dir.resolve("vgpu.png")), "another context of the device draws and scans out as before");

            String proxy = guest.waitForSerial(ConsoleLines.literal("VGPU-WL-PROXY-STATS"), STEP);
            List<Map<String, Long>> clients = proxyStats(proxy);
            assertTrue(clients.size() >= 2, proxy);
            assertEquals(0L, clients.get(0).get("shm-copied"), "the zero-copy client: the proxy copied nothing: " + proxy);
            assertTrue(clients.get(0).get("keymap-copied") > 0, "the keymap blob went into a guest memfd: " + proxy);
            assertTrue(clients.get(1).get("shm-copied") > 0 && clients.get(1).get("commits") > 1,
                    "weston-simple-shm's frames went through the proxy's copies: " + proxy);
            Files.writeString(results.resolve("step-done"), "");
            guest.waitForSerial(ConsoleLines.literal("VGPU-WL-TESTS-DONE"), STEP);
        }
    }

    /** The guest programs, built here against this machine's libraries (the guest runs this machine's root). */
    static void build(Path results) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", GuestSetup.root().resolve("cnf/scripts/build-wayland-tools").toString(), results.toString());
        BoundedProcess p = BoundedProcess.run(pb, Duration.ofMinutes(3));
        assertEquals(0, p.status(), "cnf/scripts/build-wayland-tools:\n" + p.output());
    }

    static String clientBinary(Path results) {
        return results.resolve("vgpu-wlclient").toString();
    }

    interface Check {
        long mismatches(int[] rgb) throws Exception;
    }

    private static int[] weston() throws Exception {
        BufferedImage img = weston.screenshot();
        return img.getWidth() == W && img.getHeight() == H ? img.getRGB(0, 0, W, H, null, 0, W) : new int[0];
    }

    /** Screenshots until check passes (0) or 20 s pass; the last screenshot. */
    private static int[] awaitScreen(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int[] rgb;
        do {
            rgb = weston();
            if (check.mismatches(rgb) == 0) {
                break;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        return rgb;
    }

    /** The first screenshot that passes check (at most 20 s). */
    private static int[] awaitShown(Check check) throws Exception {
        int[] rgb = awaitScreen(check);
        if (check.mismatches(rgb) != 0) {
            throw new AssertionError("the window never showed: " + lit(rgb) + " pixels lit");
        }
        return rgb;
    }

    private static long mismatches(int[] rgb, int w, int h) {
        return rgb.length != w * h ? -1 : GuestImage.mismatches(rgb, w, h, false);
    }

    /** Pixels not black (kiosk-shell's background): how much of a window is on screen. */
    private static long lit(int[] rgb) {
        return Arrays.stream(rgb).filter(p -> (p & 0xffffff) != 0).count();
    }

    private static long differing(int[] a, int[] b) {
        if (a.length != b.length) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < a.length; i++) {
            if (((a[i] ^ b[i]) & 0xffffff) != 0) {
                n++;
            }
        }
        return n;
    }

    /** The first number of a vgpu:stats row (an error's count, a backend's bytes copied), 0 if there is no such row. */
    static long statsCount(String stats, String row) {
        return stats.lines().filter(l -> l.startsWith(row + " ")).mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[1])).sum();
    }

    /** The proxy's VGPU-WLPROXY-STATS lines, one map per relayed client in the order they ended. */
    static List<Map<String, Long>> proxyStats(String line) {
        List<Map<String, Long>> clients = new ArrayList<>();
        for (String client : line.split(";")) {
            Matcher m = Pattern.compile("(\\S+)=(\\d+)").matcher(client);
            java.util.HashMap<String, Long> figures = new java.util.HashMap<>();
            while (m.find()) {
                figures.put(m.group(1), Long.parseLong(m.group(2)));
            }
            if (!figures.isEmpty()) {
                clients.add(figures);
            }
        }
        return clients;
    }

    private static String line(QemuGuest guest, String marker) throws Exception {
        return ConsoleLines.complete(guest.serial()).stream().filter(l -> l.startsWith(marker + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + marker + " line"));
    }
}
