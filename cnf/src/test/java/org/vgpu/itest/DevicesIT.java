package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.vgpu.virtio.api.VirtioDevice;

/** Devices are DS components: the default gpu0, plus one instance per ConfigAdmin factory configuration. */
class DevicesIT {
    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 5000)
    ConfigurationAdmin configAdmin;

    @Test
    void defaultGpuIsRegistered() throws Exception {
        VirtioDevice gpu0 = await("gpu0", true);
        assertNotNull(gpu0, "gpu0 not registered");
        assertEquals(16, gpu0.deviceId());
        assertEquals(2, gpu0.queueCount());
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
