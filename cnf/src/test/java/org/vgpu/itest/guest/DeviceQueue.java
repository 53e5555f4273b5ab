package org.vgpu.itest.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.osgi.framework.BundleContext;
import org.vgpu.virtio.api.Interrupt;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.runtime.BasicActivation;

/**
 * Plays a driver on a platform device's control queue in the framework: a 16-entry split ring in
 * guest memory at BASE, one request at a time (header + body, a 1 KiB response), served
 * synchronously by processQueue. Guest memory above {@link #FREE} is the caller's (backing pages).
 */
public final class DeviceQueue {
    public static final long BASE = 0x100000, FREE = BASE + 0x10000;
    static final long DESC = BASE, AVAIL = BASE + 0x1000, USED = BASE + 0x2000, REQ = BASE + 0x4000, RESP = BASE + 0x8000;

    private final VirtioDevice device;
    private final GuestMemoryMap mem;
    private int sent;

    /** Acks every offered feature and activates the device on mem (which maps BASE .. at least FREE). */
    public DeviceQueue(VirtioDevice device, GuestMemoryMap mem) throws Exception {
        this.device = device;
        this.mem = mem;
        SplitQueue queue = new SplitQueue(0, 16);
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

    /** One request (header + body) on the control queue; returns the first 64 bytes of the response. */
    public ByteBuffer send(int type, int ctxId, byte[] body) throws Exception {
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

    /** The response type of one request. */
    public int command(int type, int ctxId, byte[] body) throws Exception {
        return send(type, ctxId, body).getInt(0);
    }

    /** The platform's device of that name once registered (up to 10 s), or null. */
    public static VirtioDevice awaitDevice(BundleContext context, String name) throws Exception {
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

    /**
     * Resets the device until it offers {@code expected} under {@code mask} (up to 20 s) and returns
     * the last offer. A context type's service is visible in the registry a moment before DS has
     * bound it to the device, and the offer is fixed at each reset, so one reset may come too early.
     */
    public static long resetUntilOffered(VirtioDevice device, long mask, long expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            device.reset();
            long offered = device.offeredFeatures() & mask;
            if (offered == expected || System.currentTimeMillis() > deadline) {
                return offered;
            }
            Thread.sleep(50);
        }
    }

    /** A le32 of the device's config space. */
    public static int config(VirtioDevice device, int offset) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        device.readConfig(offset, b);
        return b.getInt(0);
    }

    public static byte[] le32(int... words) {
        ByteBuffer b = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }
}
