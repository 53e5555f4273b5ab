package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.vgpu.virtio.api.VirtioDevice;

/**
 * Devices are DS components, one per factory configuration of org.vgpu.gpu: gpu0 is the one the
 * org.vgpu.gpu.default component keeps (configurable through that PID, removable), the others are
 * ConfigAdmin's.
 */
class DevicesIT {
    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 5000)
    ConfigurationAdmin configAdmin;

    @InjectService(timeout = 5000)
    CommandProcessor processor;

    @Test
    void defaultGpuIsRegistered() throws Exception {
        VirtioDevice gpu0 = await("gpu0", true);
        assertNotNull(gpu0, "gpu0 not registered");
        assertEquals(16, gpu0.deviceId());
        assertEquals(2, gpu0.queueCount());
    }

    /** Without any configuration gpu0 is there: 1 scanout, 1280x800, 256 MiB, as the factory configuration org.vgpu.gpu~gpu0. */
    @Test
    void defaultGpuNeedsNoConfiguration() throws Exception {
        assertEquals(null, configAdmin.getConfiguration(DEFAULT_PID, "?").getProperties(), "no org.vgpu.gpu.default configuration in this run");
        VirtioDevice gpu0 = await("gpu0", true);
        assertNotNull(gpu0, "gpu0 not registered");
        assertEquals(1, numScanouts(gpu0));
        assertTrue(shell("vgpu:scanouts").lines().anyMatch(l -> l.matches("gpu0 +0 +1280x800 .*")), shell("vgpu:scanouts"));
        assertTrue(shell("vgpu:stats").lines().anyMatch(l -> l.matches("gpu0: .*host memory [0-9]+ / 268435456 bytes")), shell("vgpu:stats"));
        Configuration[] configs = configAdmin.listConfigurations("(service.factoryPid=org.vgpu.gpu)");
        assertTrue(configs != null && java.util.Arrays.stream(configs).anyMatch(c -> "gpu0".equals(c.getProperties().get("vgpu.device.name"))),
                "gpu0 is a factory configuration of org.vgpu.gpu");
    }

    /**
     * org.vgpu.gpu.default configures gpu0 with the org.vgpu.gpu keys: a scanout count makes a new
     * gpu0, the preferred mode changes live (same instance); without that configuration gpu0 is the default again.
     */
    @Test
    void defaultPidConfiguresGpu0() throws Exception {
        Configuration c = configAdmin.getConfiguration(DEFAULT_PID, "?");
        try {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("num.scanouts", 2);
            c.update(props);
            VirtioDevice two = awaitGpu0(d -> numScanouts(d) == 2);
            assertEquals(2, numScanouts(two), "gpu0 with org.vgpu.gpu.default's num.scanouts");
            props.put("width", 1024);
            c.update(props);
            long deadline = System.currentTimeMillis() + 10_000;
            while (!shell("vgpu:scanouts").contains("1024x800") && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(shell("vgpu:scanouts").lines().filter(l -> l.startsWith("gpu0 ")).allMatch(l -> l.contains("1024x800")),
                    shell("vgpu:scanouts"));
            assertTrue(two == await("gpu0", true), "the preferred mode changed live, on the same device");
        } finally {
            c.delete();
        }
        assertEquals(1, numScanouts(awaitGpu0(d -> numScanouts(d) == 1)), "gpu0 back to its defaults");
    }

    /** enabled=false in org.vgpu.gpu.default turns gpu0 off; without it gpu0 is back. */
    @Test
    void gpu0CanBeTurnedOff() throws Exception {
        assertNotNull(await("gpu0", true));
        Configuration c = configAdmin.getConfiguration(DEFAULT_PID, "?");
        try {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("enabled", false);
            c.update(props);
            assertTrue(await("gpu0", false) == null, "gpu0 still registered with enabled=false");
            Configuration[] configs = configAdmin.listConfigurations("(&(service.factoryPid=org.vgpu.gpu)(vgpu.device.name=gpu0))");
            assertEquals(null, configs, "gpu0's factory configuration is gone");
        } finally {
            c.delete();
        }
        assertNotNull(await("gpu0", true), "gpu0 back without the configuration");
    }

    @Test
    void factoryConfigurationsMakeIndependentDevices() throws Exception {
        Configuration a = create("itest-a", "gpuA", 2);
        Configuration b = create("itest-b", "gpuB", 1);
        try {
            VirtioDevice gpuA = await("gpuA", true);
            VirtioDevice gpuB = await("gpuB", true);
            assertNotNull(gpuA, "gpuA not registered");
            assertNotNull(gpuB, "gpuB not registered");
            assertEquals(2, numScanouts(gpuA), "gpuA config num_scanouts");
            assertEquals(1, numScanouts(gpuB), "gpuB config num_scanouts");
        } finally {
            a.delete();
            b.delete();
        }
        assertTrue(await("gpuA", false) == null, "gpuA still registered after its configuration was deleted");
    }

    static final String DEFAULT_PID = "org.vgpu.gpu.default";

    private String shell(String command) throws Exception {
        return ShellIT.run(processor, command);
    }

    /** The gpu0 device once it matches (within 10 s). */
    private VirtioDevice awaitGpu0(java.util.function.Predicate<VirtioDevice> wanted) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            VirtioDevice d = await("gpu0", true);
            if (d != null && wanted.test(d) || System.currentTimeMillis() > deadline) {
                return d;
            }
            Thread.sleep(50);
        }
    }

    private static int numScanouts(VirtioDevice device) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        device.readConfig(8, b);
        return b.getInt(0);
    }

    private Configuration create(String name, String deviceName, int scanouts) throws Exception {
        Configuration c = configAdmin.getFactoryConfiguration("org.vgpu.gpu", name, "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("vgpu.device.name", deviceName);
        props.put("num.scanouts", scanouts);
        c.update(props);
        return c;
    }

    /** Waits until a device with that name is (present=true) or is no longer (false) registered. */
    private VirtioDevice await(String name, boolean present) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            Collection<ServiceReference<VirtioDevice>> refs = context.getServiceReferences(VirtioDevice.class,
                    "(" + VirtioDevice.PROP_NAME + "=" + name + ")");
            if (!refs.isEmpty() == present || System.currentTimeMillis() > deadline) {
                return refs.isEmpty() ? null : context.getService(refs.iterator().next());
            }
            Thread.sleep(50);
        }
    }
}
