package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collection;
import java.util.Hashtable;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.vgpu.input.spi.InputTarget;
import org.vgpu.virtio.api.VirtioDevice;

/** The input bundle in the assembled platform: default devices, their service properties, configuration, the shell. */
class InputDevicesIT {
    private final BundleContext context = FrameworkUtil.getBundle(InputDevicesIT.class).getBundleContext();

    @InjectService(timeout = 5000)
    CommandProcessor processor;

    @InjectService(timeout = 5000)
    ConfigurationAdmin configAdmin;

    @Test
    void keyboard0AndTablet0AreThereForGpu0AsOneServiceEach() throws Exception {
        ServiceReference<InputTarget> keyboard = await("keyboard0", true);
        ServiceReference<InputTarget> tablet = await("tablet0", true);
        assertEquals("KEYBOARD", keyboard.getProperty(InputTarget.PROP_KIND));
        assertEquals("TABLET", tablet.getProperty(InputTarget.PROP_KIND));
        assertEquals("gpu0", keyboard.getProperty(InputTarget.PROP_DISPLAY));
        assertEquals("tablet0", tablet.getProperty(VirtioDevice.PROP_NAME));
        assertTrue(Arrays.asList((String[]) keyboard.getProperty("objectClass")).contains(VirtioDevice.class.getName()));
        VirtioDevice device = (VirtioDevice) context.getService(keyboard);
        assertEquals(18, device.deviceId());
        String devices = ShellIT.run(processor, "vgpu:devices");
        assertTrue(devices.lines().anyMatch(l -> l.startsWith("keyboard0 ") && l.contains(" input ") && l.contains("keyboard for gpu0")
                && l.contains("pending 0/256")), devices);
        assertTrue(devices.lines().anyMatch(l -> l.startsWith("tablet0 ") && l.contains("tablet for gpu0")), devices);
    }

    /** Input with no guest driver is dropped and counted (nothing replayed at the next boot); vgpu:devices shows it. */
    @Test
    void theShellSendsInputAndDevicesShowsTheCount() throws Exception {
        Configuration c = configAdmin.getFactoryConfiguration("org.vgpu.input", "it", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("vgpu.device.name", "kbdIT");
        props.put("kind", "keyboard");
        props.put("name", "IT keyboard");
        c.update(props);
        try {
            await("kbdIT", true);
            String sent = ShellIT.run(processor, "vgpu:input kbdIT key a");
            assertTrue(sent.contains("kbdIT: key 30 press+release"), sent);
            String devices = ShellIT.run(processor, "vgpu:devices");
            assertTrue(devices.lines().anyMatch(l -> l.startsWith("kbdIT ") && l.contains("eventq no driver") && l.contains("dropped 4")), devices);
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ShellIT.run(processor, "vgpu:input kbdIT key nosuchkey"));
            assertEquals("unknown key nosuchkey", bad.getMessage());
        } finally {
            c.delete();
        }
        await("kbdIT", false);
    }

    @Test
    void theDefaultsAreRemovableByConfiguration() throws Exception {
        await("tablet0", true);
        Configuration defaults = configAdmin.getConfiguration("org.vgpu.input.default", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("tablet", false);
        defaults.update(props);
        try {
            await("tablet0", false);
            assertNotNull(await("keyboard0", true));
        } finally {
            defaults.delete();
        }
        await("tablet0", true);
    }

    private ServiceReference<InputTarget> await(String name, boolean present) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            Collection<ServiceReference<InputTarget>> refs = context.getServiceReferences(InputTarget.class, "(" + InputTarget.PROP_NAME + "=" + name + ")");
            if (refs.isEmpty() != present) {
                return present ? refs.iterator().next() : null;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(name + (present ? " did not appear" : " did not go") + " within 10 s");
            }
            Thread.sleep(50);
        }
    }
}
