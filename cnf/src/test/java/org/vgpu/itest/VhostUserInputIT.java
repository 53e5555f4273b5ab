package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.vgpu.itest.guest.QemuGuest;
import org.vgpu.itest.guest.QemuGuest.Machine;
import org.vgpu.virtio.api.DeviceSummary;
import org.vgpu.virtio.api.VirtioDevice;

/**
 * keyboard0 over vhost-user to QEMU 10's vhost-user-input-pci (q35, TCG) and a real Linux 6.12
 * guest: the guest's virtio_input driver reads vgpu's config space through GET_CONFIG, keys the
 * host sends through InputTarget reach the guest program exactly, and its CapsLock LED comes back
 * on the status queue.
 */
class VhostUserInputIT {
    static final Duration BOOT = Duration.ofSeconds(150);
    private static final Pattern EVENT = Pattern.compile("VGPU-EV vgpu keyboard keyboard0 (KEY|ABS|REL) (\\d+) (-?\\d+)\\s*$");

    @Test
    void hostKeysReachTheGuestOverVhostUserInput() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(VhostUserInputIT.class).getBundleContext();
        Path dir = Files.createTempDirectory("vgpu-input-e2e");
        Path socket = dir.resolve("input.sock");
        ConfigurationAdmin cm = context.getService(context.getServiceReference(ConfigurationAdmin.class));
        Configuration transport = cm.getFactoryConfiguration("org.vgpu.vhostuser", "input-e2e", "?");
        Dictionary<String, Object> t = new Hashtable<>();
        t.put("socket.path", socket.toString());
        t.put("device.target", "(vgpu.device.name=keyboard0)");
        transport.update(t);
        try {
            long deadline = System.currentTimeMillis() + 20_000;
            while (!Files.exists(socket) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(socket), "vhost-user socket not created at " + socket);
            InputTarget keyboard = context.getService(context.getServiceReferences(InputTarget.class, "(vgpu.input.name=keyboard0)").iterator().next());
            VirtioDevice device = (VirtioDevice) keyboard;
            try (QemuGuest guest = new QemuGuest(Machine.Q35, socket, dir.resolve("q35"), "vgpu.test=input vgpu.inputs=1 vgpu.hold=300").inputDevice()) {
                guest.bootUntil("VGPU-INPUT-READY", BOOT);
                assertTrue(ConsoleLines.find(guest.serial(), Pattern.compile("VGPU-INPUT-DEVICE event\\d+ vgpu keyboard keyboard0\\s*$")).isPresent(),
                        guest.serial());
                long until = System.currentTimeMillis() + 20_000;
                while (!((DeviceSummary) device).summary().contains("LEDs caps") && System.currentTimeMillis() < until) {
                    Thread.sleep(50);
                }
                assertTrue(((DeviceSummary) device).summary().contains("LEDs caps"), ((DeviceSummary) device).summary());
                for (int code : new int[] {30, 44, 2}) {
                    keyboard.key(code, true);
                    keyboard.key(code, false);
                }
                keyboard.key(1, true);
                keyboard.key(1, false);
                guest.waitForSerial("VGPU-INPUT-DONE", Duration.ofSeconds(60));
                List<String> events = ConsoleLines.complete(guest.serial()).stream().map(EVENT::matcher).filter(Matcher::find)
                        .map(m -> m.group(1) + " " + m.group(2) + " " + m.group(3)).toList();
                assertEquals(List.of("KEY 30 1", "KEY 30 0", "KEY 44 1", "KEY 44 0", "KEY 2 1", "KEY 2 0", "KEY 1 1", "KEY 1 0"), events);
                assertTrue(((DeviceSummary) device).summary().contains("dropped 0"), ((DeviceSummary) device).summary());
            }
        } finally {
            transport.delete();
        }
    }
}
