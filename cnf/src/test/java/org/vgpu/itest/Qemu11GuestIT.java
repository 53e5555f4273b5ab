package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vgpu.itest.guest.ConsoleLines;
import org.vgpu.itest.guest.QemuGuest;
import org.vgpu.itest.guest.QemuGuest.Machine;
import org.vgpu.itest.guest.VirglBundle;

/**
 * vgpu against QEMU 11.1 (from its trixie chroot; the set-up installs it), a Debian 6.12 guest
 * under TCG:
 * <ul>
 * <li>the generic vhost-user-test-device-pci, which passes vgpu's features and config to the guest
 * and maps its SHMEM region into BAR 4: a cross-domain guest draws into a HOST3D blob that vgpu's
 * hostmem backend allocated and QEMU mapped with SHMEM_MAP (zero copies, pixel-exact), then makes
 * and frees three more 4 MiB blobs in a region with room for one (SHMEM_UNMAP, space reused);</li>
 * <li>the same device without contexts: the guest's fbdev framebuffer is a GUEST blob, and every
 * command of its boot is answered without an error response;</li>
 * <li>QEMU 11.1's own vhost-user-gpu-pci: the 2D case of GuestRenderIT, pixel-exact in QEMU's
 * screendump (one representative case per QEMU version).</li>
 * </ul>
 */
class Qemu11GuestIT {
    static final Duration BOOT = Duration.ofSeconds(150);
    /** The scanout blob (4,096,000 bytes) and one 1024x1024 blob (4 MiB) fit; two such blobs do not. */
    static final int HOST_VISIBLE_MIB = 8;

    static BundleContext context;
    static Path dir;
    static final List<Configuration> configurations = new ArrayList<>();

    @BeforeAll
    static void configure() throws Exception {
        context = FrameworkUtil.getBundle(Qemu11GuestIT.class).getBundleContext();
        VirglBundle.stop(context); // these guests test the 2D and cross-domain paths: no virgl renderer
        dir = Files.createTempDirectory("vgpu-q11");
        device("q11x", true);
        socket("q11x", HOST_VISIBLE_MIB);
        device("q11b", false);
        socket("q11b", HOST_VISIBLE_MIB);
        device("q11p", false);
        socket("q11p", 0);
        for (String name : List.of("q11x", "q11b", "q11p")) {
            awaitFile(socketOf(name));
        }
    }

    @AfterAll
    static void unconfigure() throws Exception {
        for (Configuration c : configurations) {
            c.delete();
        }
        VirglBundle.start(context);
    }

    static Path socketOf(String device) {
        return dir.resolve(device + ".sock");
    }

    private static ConfigurationAdmin cm() {
        return context.getService(context.getServiceReference(ConfigurationAdmin.class));
    }

    private static void device(String name, boolean crossDomain) throws Exception {
        Configuration c = cm().getFactoryConfiguration("org.vgpu.gpu", name, "?");
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("vgpu.device.name", name);
        d.put("cross.domain", crossDomain);
        c.update(d);
        configurations.add(c);
    }

    private static void socket(String device, int hostVisibleMib) throws Exception {
        Configuration c = cm().getFactoryConfiguration("org.vgpu.vhostuser", device, "?");
        Dictionary<String, Object> t = new Hashtable<>();
        t.put("socket.path", socketOf(device).toString());
        t.put("device.target", "(vgpu.device.name=" + device + ")");
        t.put("host.visible.mib", hostVisibleMib);
        c.update(t);
        configurations.add(0, c); // sockets go before their devices
    }

    private static void awaitFile(Path p) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.exists(p) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(p), "vhost-user socket not created at " + p);
    }

    private static String shell(String command) throws Exception {
        return ShellIT.run(context.getService(context.getServiceReference(CommandProcessor.class)), command);
    }

    /** Waits until vgpu's screenshot of the device's scanout 0 shows the known image; the last mismatch count. */
    private static long awaitScreenshot(String device, ConsoleLines.ImageDone image) throws Exception {
        return VgpuScreens.awaitKnownImage(context.getService(context.getServiceReference(CommandProcessor.class)), device, image,
                dir.resolve(device + "-screen.png"));
    }

    private static List<String> errorResponses(String serial) {
        return ConsoleLines.complete(serial).stream().filter(l -> l.contains("*ERROR* response")).toList();
    }

    private static String features(String serial) {
        return ConsoleLines.complete(serial).stream().filter(l -> l.contains("[drm] features:")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void qemuMapsVgpuHostMemoryIntoTheGuestWithZeroCopies() throws Exception {
        try (QemuGuest guest = new QemuGuest(Machine.Q35, socketOf("q11x"), dir.resolve("hostblob"),
                "vgpu.test=hostblob-cycle vgpu.hold=120").genericGpuDevice(16)) {
            ConsoleLines.ImageDone image = ConsoleLines.ImageDone.of(guest.bootUntil(QemuGuest.IMAGE_DONE_MARKER, BOOT));
            String serial = guest.serial();
            String features = features(serial);
            assertTrue(features.contains("+resource_blob") && features.contains("+host_visible"), features);
            assertTrue(features.contains("+virgl") && features.contains("+context_init"), features);
            assertTrue(ConsoleLines.find(serial, ConsoleLines.literal("Host memory window: ")).filter(l -> l.line().contains("+0x" + Long.toHexString(HOST_VISIBLE_MIB << 20))).isPresent(),
                    "the guest found vgpu's region in BAR 4: " + serial);

            String resources = shell("vgpu:resources q11x");
            String blob = resources.lines().filter(l -> l.contains(" hostmem ") && l.contains("[0]")).findFirst()
                    .orElseThrow(() -> new AssertionError("no hostmem resource on scanout 0: " + resources));
            String detail = shell("vgpu:resource " + blob.trim().split("\\s+")[1]);
            assertTrue(detail.lines().anyMatch(l -> l.startsWith("guest mapping") && l.contains("host-visible region offset 0x")),
                    "the blob is mapped into the guest: " + detail);
            assertEquals(0, awaitScreenshot("q11x", image), "vgpu's screenshot of the guest's writes into host memory");

            // Three 4 MiB blobs made and freed one after another in a region with room for one:
            // UNMAP_BLOB + UNREF gave the space back to QEMU (SHMEM_UNMAP) each time.
            String cycled = guest.waitForSerial("VGPU-CYCLE-DONE 3", Duration.ofSeconds(60));
            assertTrue(cycled.contains("VGPU-CYCLE-DONE 3"), cycled);
            String after = shell("vgpu:resources q11x");
            assertEquals(1, after.lines().filter(l -> l.contains(" hostmem ")).count(), "only the scanout blob is left: " + after);
            assertEquals(0, awaitScreenshot("q11x", image), "the scanout is untouched by the other blobs");

            String stats = shell("vgpu:stats q11x");
            String hostmem = stats.lines().filter(l -> l.startsWith("hostmem ")).findFirst().orElseThrow(() -> new AssertionError(stats));
            String[] f = hostmem.trim().split("\\s+");
            assertEquals("0", f[1], "nothing copied for host memory: " + hostmem);
            assertTrue(Long.parseLong(f[2]) > 0, "the flushes read the blob in place: " + hostmem);
            assertEquals(List.of(), errorResponses(guest.serial()), "every command answered without an error");
        }
    }

    @Test
    void aGuestBlobFramebufferBootsWithoutAnErrorResponse() throws Exception {
        try (QemuGuest guest = new QemuGuest(Machine.Q35, socketOf("q11b"), dir.resolve("guestblob"),
                "vgpu.test=fbimage vgpu.hold=60").genericGpuDevice(16)) {
            ConsoleLines.ImageDone image = ConsoleLines.ImageDone.of(guest.bootUntil(QemuGuest.IMAGE_DONE_MARKER, BOOT));
            String features = features(guest.serial());
            assertTrue(features.contains("-virgl") && features.contains("+resource_blob"), features);
            assertEquals(0, awaitScreenshot("q11b", image), "vgpu's screenshot of the GUEST blob framebuffer");
            // Linux sends a blob dumb buffer's first TRANSFER_TO_HOST_2D before its SET_SCANOUT_BLOB:
            // nothing to sync yet, and no error (QEMU's own device answers OK_NODATA as well).
            assertEquals(List.of(), errorResponses(guest.serial()), "every command answered without an error");
            String resources = shell("vgpu:resources q11b");
            assertTrue(resources.lines().anyMatch(l -> l.contains("1280x800") && l.contains("[0]")), "the blob on scanout 0: " + resources);
        }
    }

    @Test
    void qemu11VhostUserGpuPciShowsTheGuestPixelExact() throws Exception {
        try (QemuGuest guest = new QemuGuest(Machine.Q35, socketOf("q11p"), dir.resolve("gpu-pci"),
                "vgpu.test=fbimage vgpu.hold=60").qemu11()) {
            String done = guest.bootUntil(QemuGuest.IMAGE_DONE_MARKER, BOOT);
            String serial = guest.serial();
            assertTrue(features(serial).contains("+edid"), serial);
            assertEquals(0, guest.awaitKnownImage(done, dir.resolve("gpu-pci-screen.png")),
                    "QEMU 11.1's screendump shows the guest's image (-1: wrong size)");
            assertEquals(List.of(), errorResponses(serial));
        }
    }

    /** QEMU 11.1's vhost-user-gpu on a microvm (virtio-mmio), and a second QEMU 11.1 served after the first is SIGKILLed. */
    @Test
    void qemu11MicrovmOverVirtioMmioAndAfterAKill() throws Exception {
        try (QemuGuest first = new QemuGuest(Machine.MICROVM, socketOf("q11p"), dir.resolve("microvm"),
                "vgpu.test=fbimage vgpu.hold=60").qemu11()) {
            String done = first.bootUntil(QemuGuest.IMAGE_DONE_MARKER, BOOT);
            assertTrue(features(first.serial()).contains("+edid"), first.serial());
            assertEquals(0, first.awaitKnownImage(done, dir.resolve("microvm-screen.png")), "QEMU 11.1 microvm screendump");
            first.kill(); // no goodbye on the socket
        }
        try (QemuGuest second = new QemuGuest(Machine.Q35, socketOf("q11p"), dir.resolve("after-kill"),
                "vgpu.test=fbimage vgpu.hold=60").qemu11()) {
            String done = second.bootUntil(QemuGuest.IMAGE_DONE_MARKER, BOOT);
            assertEquals(0, second.awaitKnownImage(done, dir.resolve("after-kill-screen.png")), "the next QEMU 11.1 is served");
        }
    }
}
