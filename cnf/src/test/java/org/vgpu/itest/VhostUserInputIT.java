package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vgpu.input.spi.InputTarget;
import org.vgpu.itest.guest.ConsoleLines;
import org.vgpu.itest.guest.DeviceQueue;
import org.vgpu.itest.guest.QemuGuest;
import org.vgpu.itest.guest.QemuGuest.Machine;
import org.vgpu.virtio.api.DeviceSummary;

/**
 * keyboard0 and tablet0 over vhost-user, each on its own socket, to two of QEMU 10's
 * vhost-user-input-pci devices in one guest (q35, TCG) running a real Linux 6.12: the guest's
 * virtio_input driver reads both config spaces through GET_CONFIG and names both devices; its
 * CapsLock LED comes back on keyboard0's status queue; the keys, pointer positions (scaled to the
 * tablet's 0..32767 axes, clamped to the scanout), click and wheel steps the host sends through
 * InputTarget reach the guest program exactly, each on its device, and neither device drops any.
 */
class VhostUserInputIT {
    /** A q35 TCG boot on the loaded 2-core machine took 130 s (the boot has one retry). */
    static final Duration BOOT = Duration.ofSeconds(240);
    static final Duration EVENTS = Duration.ofSeconds(60);
    static final String KEYBOARD = "vgpu keyboard keyboard0";
    static final String TABLET = "vgpu tablet tablet0";
    /** The scanout the pointer positions are on: the tablet scales to the size it is given. */
    static final int WIDTH = 1280, HEIGHT = 800;
    static final int BTN_LEFT = 0x110;
    /**
     * vgpu.hold: vgpu-input's own limit, in guest seconds. Far beyond the test's waits: the TCG
     * guest's clock was seen running ~28 times as fast as the host's (3894 guest seconds in a
     * 141 s boot), so a limit of 300 would end the guest program after ~10 s.
     */
    static final int GUEST_LIMIT_SECONDS = 7200;
    private static final Pattern COUNTS = Pattern.compile("delivered (\\d+), dropped (\\d+)");

    private final BundleContext context = FrameworkUtil.getBundle(VhostUserInputIT.class).getBundleContext();
    private final List<Configuration> sockets = new ArrayList<>();

    @Test
    void keyboardAndTabletReachTheGuestOverTwoVhostUserSockets() throws Exception {
        Path dir = Files.createTempDirectory("vgpu-input-e2e");
        try {
            Path keyboardSocket = serve("keyboard0", dir.resolve("keyboard.sock"));
            Path tabletSocket = serve("tablet0", dir.resolve("tablet.sock"));
            InputTarget keyboard = target("keyboard0");
            InputTarget tablet = target("tablet0");
            long[] keyboardBefore = counts(keyboard), tabletBefore = counts(tablet);
            String append = "vgpu.test=input vgpu.inputs=2 vgpu.hold=" + GUEST_LIMIT_SECONDS;
            try (QemuGuest guest = new QemuGuest(Machine.Q35, keyboardSocket, dir.resolve("q35"), append)
                    .inputDevice().addInputDevice(tabletSocket)) {
                guest.bootUntil("VGPU-INPUT-READY", BOOT);
                for (String name : List.of(KEYBOARD, TABLET)) {
                    assertTrue(ConsoleLines.find(guest.serial(), Pattern.compile("VGPU-INPUT-DEVICE event\\d+ " + Pattern.quote(name) + "\\s*$"))
                            .isPresent(), "the guest has no input device named '" + name + "':\n" + guest.serial());
                }
                awaitSummary(keyboard, "LEDs caps");

                tablet.pointer(640, 400, WIDTH, HEIGHT);
                tablet.pointer(100, 700, WIDTH, HEIGHT);
                tablet.pointer(2000, -5, WIDTH, HEIGHT); // off the scanout: clamped to (1279, 0)
                tablet.button(BTN_LEFT, true);
                tablet.button(BTN_LEFT, false);
                tablet.wheel(3);
                tablet.wheel(-2);
                // The tablet's last event read before Escape ends the guest program (the guest polls both devices).
                guest.waitForSerial(Pattern.compile(Pattern.quote("VGPU-EV " + TABLET + " REL 8 -2") + "\\s*$"), EVENTS);
                for (int code : new int[] {30, 44, 2, 1}) { // KEY_A, KEY_Z, KEY_1, then KEY_ESC
                    keyboard.key(code, true);
                    keyboard.key(code, false);
                }
                guest.waitForSerial("VGPU-INPUT-DONE", EVENTS);

                List<String> events = ConsoleLines.inputEvents(guest.serial());
                assertEquals(List.of("KEY 30 1", "KEY 30 0", "KEY 44 1", "KEY 44 0", "KEY 2 1", "KEY 2 0", "KEY 1 1", "KEY 1 0"),
                        ConsoleLines.inputEventsOf(KEYBOARD, events), "the guest read keyboard0's keys exactly");
                // 640/1280 and 400/800 of 32767 is 16383; 100 * 32767 / 1280 = 2559, 700 * 32767 / 800 = 28671;
                // 2000 is clamped to 1279: 1279 * 32767 / 1280 = 32741, -5 to 0.
                assertEquals(List.of("ABS 0 16383", "ABS 1 16383", "ABS 0 2559", "ABS 1 28671", "ABS 0 32741", "ABS 1 0",
                        "KEY 272 1", "KEY 272 0", "REL 8 3", "REL 8 -2"), ConsoleLines.inputEventsOf(TABLET, events),
                        "the guest read tablet0's scaled positions, button and wheel exactly");
                // Each event group ends with a SYN_REPORT: 8 keys; 3 positions of two axes, 2 button changes, 2 wheel steps.
                assertDelivered(keyboard, keyboardBefore, 16);
                assertDelivered(tablet, tabletBefore, 17);
            }
        } finally {
            for (Configuration c : sockets) {
                c.delete();
            }
        }
    }

    /** A vhost-user socket serving the named device, once it listens (up to 20 s). */
    private Path serve(String device, Path socket) throws Exception {
        ConfigurationAdmin cm = context.getService(context.getServiceReference(ConfigurationAdmin.class));
        Configuration c = cm.getFactoryConfiguration("org.vgpu.vhostuser", "input-e2e-" + device, "?");
        sockets.add(c);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("socket.path", socket.toString());
        props.put("device.target", "(vgpu.device.name=" + device + ")");
        c.update(props);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(socket), "vhost-user socket for " + device + " not created at " + socket);
        return socket;
    }

    private InputTarget target(String name) throws Exception {
        InputTarget target = (InputTarget) DeviceQueue.awaitDevice(context, name);
        assertNotNull(target, name + " is not registered");
        return target;
    }

    /** Waits (up to 20 s) until the device's vgpu:devices summary contains text. */
    private static void awaitSummary(InputTarget device, String text) throws InterruptedException {
        DeviceSummary summary = (DeviceSummary) device;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!summary.summary().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(summary.summary().contains(text), device.name() + ": no '" + text + "' in " + summary.summary());
    }

    /** The device's delivered and dropped counts: they count since the framework started, so the test compares. */
    private static long[] counts(InputTarget device) {
        String summary = ((DeviceSummary) device).summary();
        Matcher m = COUNTS.matcher(summary);
        assertTrue(m.find(), "no counts in " + summary);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private static void assertDelivered(InputTarget device, long[] before, long events) {
        long[] after = counts(device);
        assertEquals(events, after[0] - before[0], device.name() + " delivered: " + ((DeviceSummary) device).summary());
        assertEquals(0, after[1] - before[1], device.name() + " dropped: " + ((DeviceSummary) device).summary());
    }
}
