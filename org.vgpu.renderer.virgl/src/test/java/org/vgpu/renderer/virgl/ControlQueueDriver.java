package org.vgpu.renderer.virgl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.gpu.GpuDevice;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.runtime.BasicActivation;
import org.vgpu.virtio.runtime.EventFdInterrupt;
import org.vgpu.virtio.runtime.QueueWorker;
import org.vgpu.virtio.sys.EventFd;

/**
 * Plays the guest driver on a GPU device's control queue: a split ring in real guest memory, each
 * request a chain of one readable and one writable descriptor, a queue worker serving kicks as a
 * transport does. Requests go in slots; {@link #awaitUsed} waits (bounded) for completions.
 */
final class ControlQueueDriver implements AutoCloseable {
    static final long DESC = 0x100000, AVAIL = DESC + 0x1000, USED = DESC + 0x2000, SLOTS = DESC + 0x10000;
    static final int QSIZE = 64, SLOT = 0x1000, RESPONSE = SLOT / 2;

    final GuestMemoryMap memory;
    private final EventFd kick;
    private final EventFd call;
    private final QueueWorker worker;
    private int chains;

    ControlQueueDriver(GpuDevice device, GuestMemoryMap memory) throws Exception {
        this.memory = memory;
        device.ackFeatures(device.offeredFeatures());
        SplitQueue control = new SplitQueue(0, QSIZE);
        control.setAddresses(DESC, AVAIL, USED);
        control.setReady(true);
        kick = EventFd.create(true);
        call = EventFd.create(true);
        EventFdInterrupt interrupt = new EventFdInterrupt(2, () -> { });
        interrupt.setCallFd(0, call);
        BasicActivation activation = new BasicActivation(memory, new SplitQueue[] {control, null}, interrupt, reason -> { }, "virgl-test");
        device.activate(activation);
        worker = new QueueWorker(device, activation, new EventFd[] {kick, null});
        worker.start();
    }

    /** A request: header (type, flags, fence, ctx, ring) then the body; returns a buffer to fill the body from index 24. */
    static ByteBuffer request(int type, int flags, long fenceId, int ctxId, int ringIdx, int bodyBytes) {
        ByteBuffer b = ByteBuffer.allocate(24 + bodyBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type).putInt(4, flags).putLong(8, fenceId).putInt(16, ctxId).put(20, (byte) ringIdx);
        return b;
    }

    /** Queues a request (not yet kicked); returns its slot number. */
    int queue(ByteBuffer request) throws Exception {
        int slot = chains;
        long req = SLOTS + (long) SLOT * slot;
        memory.write(req, request, 0, request.capacity());
        int head = 2 * (slot % (QSIZE / 2));
        writeDesc(head, req, request.capacity(), 1, head + 1);
        writeDesc(head + 1, req + RESPONSE, RESPONSE, 2, 0);
        memory.writeShort(AVAIL + 4 + 2L * (slot % QSIZE), (short) head);
        chains++;
        memory.writeShort(AVAIL + 2, (short) chains);
        return slot;
    }

    void kick() throws Exception {
        kick.signal();
    }

    private void writeDesc(int i, long addr, int len, int flags, int next) throws Exception {
        memory.writeLong(DESC + 16L * i, addr);
        memory.writeInt(DESC + 16L * i + 8, len);
        memory.writeShort(DESC + 16L * i + 12, (short) flags);
        memory.writeShort(DESC + 16L * i + 14, (short) next);
    }

    int used() throws Exception {
        return memory.readShort(USED + 2) & 0xffff;
    }

    void awaitUsed(int n) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (used() < n) {
            assertTrue(System.nanoTime() < deadline, "the device used " + used() + " of " + n + " chains in 20 s");
            Thread.sleep(1);
        }
    }

    /** The response type a slot's chain got. */
    int response(int slot) throws Exception {
        return memory.readInt(SLOTS + (long) SLOT * slot + RESPONSE);
    }

    /** The fence id the response of a slot echoes. */
    long responseFence(int slot) throws Exception {
        return memory.readLong(SLOTS + (long) SLOT * slot + RESPONSE + 8);
    }

    @Override
    public void close() {
        worker.stop();
        kick.close();
        call.close();
    }
}
