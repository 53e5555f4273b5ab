package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.vgpu.itest.guest.SampleBundle;
import org.vgpu.virtio.api.Interrupt;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.runtime.BasicActivation;

/**
 * A context-type bundle dropped into load/ is offered after the next device reset (GET_CAPSET_INFO
 * through the device), serves a context's SUBMIT_3D, and removing the jar destroys its contexts
 * while their resources stay valid.
 */
class ContextHotLoadIT {
    static final int CAPSET = 0x7f;
    static final long BASE = 0x100000, DESC = BASE, AVAIL = BASE + 0x1000, USED = BASE + 0x2000, REQ = BASE + 0x4000, RESP = BASE + 0x8000;

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 5000)
    ConfigurationAdmin configAdmin;

    GuestMemoryMap mem;
    SplitQueue queue;
    VirtioDevice device;
    int sent;

    @Test
    void aDroppedContextTypeIsOfferedAfterResetServesContextsAndItsRemovalDestroysThem() throws Exception {
        Configuration config = configAdmin.getFactoryConfiguration("org.vgpu.gpu", "itest-ctx", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("vgpu.device.name", "gpuctx");
        config.update(props);
        Path jar = Path.of(context.getProperty("felix.fileinstall.dir")).resolve("sample-context.jar");
        mem = new GuestMemoryMap();
        try {
            device = awaitDevice("gpuctx");
            assertNotNull(device, "gpuctx not registered");
            assertEquals(0L, device.offeredFeatures() & 0x11, "no context type: a 2D device");
            device.ackFeatures(device.offeredFeatures()); // as a driver: the offer is fixed until the next reset
            Files.createDirectories(jar.getParent());
            SampleBundle.writeContextType(context, jar);
            assertTrue(awaitType(true), "the dropped bundle's ContextType did not appear");
            assertEquals(0L, device.offeredFeatures() & 0x11, "offered only after the next reset");
            device.reset();
            assertEquals(0x11L, device.offeredFeatures() & 0x11, "VIRGL + CONTEXT_INIT");
            assertEquals(1, config(12), "num_capsets");
            activate();

            ByteBuffer r = send(0x108, 0, le32(0, 0)); // GET_CAPSET_INFO index 0
            assertEquals(0x1102, r.getInt(0));
            assertEquals(CAPSET, r.getInt(24));
            assertEquals(4, r.getInt(32), "capset_max_size");
            r = send(0x109, 0, le32(CAPSET, 0)); // GET_CAPSET
            assertEquals(0x1103, r.getInt(0));
            assertEquals('E', r.get(24));
            assertEquals('O', r.get(27));
            int[] create = new int[18];
            create[1] = CAPSET; // nlen 0, context_init
            assertEquals(0x1100, send(0x200, 1, le32(create)).getInt(0), "CTX_CREATE of the sample type");
            assertEquals(0x1100, send(0x101, 0, le32(5, 2, 4, 4)).getInt(0), "RESOURCE_CREATE_2D");
            assertEquals(0x1100, send(0x202, 1, le32(5, 0)).getInt(0), "CTX_ATTACH_RESOURCE");
            assertEquals(0x1100, send(0x207, 1, le32(4, 0, CAPSET)).getInt(0), "SUBMIT_3D reached the type");
            assertEquals(0x1205, send(0x207, 1, le32(4, 0, 1)).getInt(0), "and the type judged it");

            Files.delete(jar);
            assertTrue(awaitType(false), "the ContextType stayed after its jar was removed");
            assertEquals(0x1204, send(0x207, 1, le32(4, 0, CAPSET)).getInt(0), "its context was destroyed");
            assertEquals(0x1100, send(0x102, 0, le32(5, 0)).getInt(0), "the resource stayed valid (RESOURCE_UNREF)");
        } finally {
            Files.deleteIfExists(jar);
            if (device != null) {
                device.reset();
            }
            config.delete();
            mem.close();
        }
    }

    private void activate() throws Exception {
        mem.addRegion(MemoryRegion.anonymous(BASE, 1 << 16));
        queue = new SplitQueue(0, 16);
        queue.setSize(16);
        queue.setAddresses(DESC, AVAIL, USED);
        queue.setReady(true);
        device.ackFeatures(device.offeredFeatures());
        device.activate(new BasicActivation(mem, new SplitQueue[] {queue, null}, new Interrupt() {
            @Override
            public void signalQueue(int queueIndex) {
            }

            @Override
            public void signalConfig() {
            }
        }, reason -> { }, "itest"));
    }

    /** One request (header + body) on the control queue, served by processQueue; returns the response. */
    private ByteBuffer send(int type, int ctxId, byte[] body) throws Exception {
        mem.writeInt(REQ, type);
        mem.writeInt(REQ + 4, 0);
        mem.writeLong(REQ + 8, 0);
        mem.writeInt(REQ + 16, ctxId);
        mem.writeInt(REQ + 20, 0);
        mem.write(REQ + 24, ByteBuffer.wrap(body), 0, body.length);
        int slot = sent % 8; // two descriptors a chain in a 16-entry table
        long d = DESC + 32L * slot;
        mem.writeLong(d, REQ);
        mem.writeInt(d + 8, 24 + body.length);
        mem.writeShort(d + 12, (short) 1);
        mem.writeShort(d + 14, (short) (2 * slot + 1));
        mem.writeLong(d + 16, RESP);
        mem.writeInt(d + 24, 1024);
        mem.writeShort(d + 28, (short) 2);
        mem.writeShort(d + 30, (short) 0);
        mem.writeShort(AVAIL + 4 + 2L * (sent % 16), (short) (2 * slot));
        sent++;
        mem.writeShort(AVAIL + 2, (short) sent);
        device.processQueue(0);
        assertEquals(sent, mem.readShort(USED + 2) & 0xffff, "the chain was completed");
        ByteBuffer r = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 64; i++) {
            r.put(i, mem.readByte(RESP + i));
        }
        return r;
    }

    private int config(int offset) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        device.readConfig(offset, b);
        return b.getInt(0);
    }

    private static byte[] le32(int... words) {
        ByteBuffer b = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }

    private boolean awaitType(boolean present) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            List<ServiceReference<ContextType>> refs = List.copyOf(context.getServiceReferences(ContextType.class, null));
            boolean found = refs.stream().anyMatch(r -> "org.vgpu.itest.sample.context".equals(r.getBundle().getSymbolicName()));
            if (found == present) {
                Thread.sleep(200); // DS binds it to the device after registering it
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private VirtioDevice awaitDevice(String name) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            var refs = context.getServiceReferences(VirtioDevice.class, "(" + VirtioDevice.PROP_NAME + "=" + name + ")");
            if (!refs.isEmpty()) {
                return context.getService(refs.iterator().next());
            }
            Thread.sleep(50);
        }
        return null;
    }
}
