package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.itest.guest.DeviceQueue.le32;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.itest.guest.DeviceQueue;
import org.vgpu.itest.guest.SampleBundle;
import org.vgpu.itest.guest.VirglBundle;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * A context-type bundle dropped into load/ is offered after the next device reset (GET_CAPSET_INFO
 * through the device), serves a context's SUBMIT_3D, and removing the jar destroys its contexts
 * while their resources stay valid.
 */
class ContextHotLoadIT {
    static final int CAPSET = 0x7f;

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 5000)
    ConfigurationAdmin configAdmin;

    GuestMemoryMap mem;
    VirtioDevice device;
    DeviceQueue queue;

    @Test
    void aDroppedContextTypeIsOfferedAfterResetServesContextsAndItsRemovalDestroysThem() throws Exception {
        Configuration config = configAdmin.getFactoryConfiguration("org.vgpu.gpu", "itest-ctx", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("vgpu.device.name", "gpuctx");
        config.update(props);
        Path jar = Path.of(context.getProperty("felix.fileinstall.dir")).resolve("sample-context.jar");
        mem = new GuestMemoryMap();
        VirglBundle.stop(context); // a device of this framework offers VIRGL while the virgl renderer runs
        try {
            device = DeviceQueue.awaitDevice(context, "gpuctx");
            assertNotNull(device, "gpuctx not registered");
            assertEquals(0L, device.offeredFeatures() & 0x11, "no context type: a 2D device");
            device.ackFeatures(device.offeredFeatures()); // as a driver: the offer is fixed until the next reset
            Files.createDirectories(jar.getParent());
            SampleBundle.writeContextType(context, jar);
            assertTrue(awaitType(true), "the dropped bundle's ContextType did not appear");
            assertEquals(0L, device.offeredFeatures() & 0x11, "offered only after the next reset");
            assertEquals(0x11L, DeviceQueue.resetUntilOffered(device, 0x11, 0x11), "VIRGL + CONTEXT_INIT after a reset");
            assertEquals(1, DeviceQueue.config(device, 12), "num_capsets");
            mem.addRegion(MemoryRegion.anonymous(DeviceQueue.BASE, 1 << 16));
            queue = new DeviceQueue(device, mem);

            ByteBuffer r = queue.send(0x108, 0, le32(0, 0)); // GET_CAPSET_INFO index 0
            assertEquals(0x1102, r.getInt(0));
            assertEquals(CAPSET, r.getInt(24));
            assertEquals(4, r.getInt(32), "capset_max_size");
            r = queue.send(0x109, 0, le32(CAPSET, 0)); // GET_CAPSET
            assertEquals(0x1103, r.getInt(0));
            assertEquals('E', r.get(24));
            assertEquals('O', r.get(27));
            int[] create = new int[18];
            create[1] = CAPSET; // nlen 0, context_init
            assertEquals(0x1100, queue.send(0x200, 1, le32(create)).getInt(0), "CTX_CREATE of the sample type");
            assertEquals(0x1100, queue.send(0x101, 0, le32(5, 2, 4, 4)).getInt(0), "RESOURCE_CREATE_2D");
            assertEquals(0x1100, queue.send(0x202, 1, le32(5, 0)).getInt(0), "CTX_ATTACH_RESOURCE");
            assertEquals(0x1100, queue.send(0x207, 1, le32(4, 0, CAPSET)).getInt(0), "SUBMIT_3D reached the type");
            assertEquals(0x1205, queue.send(0x207, 1, le32(4, 0, 1)).getInt(0), "and the type judged it");

            Files.delete(jar);
            assertTrue(awaitType(false), "the ContextType stayed after its jar was removed");
            assertEquals(0x1204, queue.send(0x207, 1, le32(4, 0, CAPSET)).getInt(0), "its context was destroyed");
            assertEquals(0x1100, queue.send(0x102, 0, le32(5, 0)).getInt(0), "the resource stayed valid (RESOURCE_UNREF)");
        } finally {
            Files.deleteIfExists(jar);
            if (device != null) {
                device.reset();
            }
            config.delete();
            mem.close();
            VirglBundle.start(context);
        }
    }

    private boolean awaitType(boolean present) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            List<ServiceReference<ContextType>> refs = List.copyOf(context.getServiceReferences(ContextType.class, null));
            boolean found = refs.stream().anyMatch(r -> "org.vgpu.itest.sample.context".equals(r.getBundle().getSymbolicName()));
            if (found == present) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
