package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.runtime.BasicActivation;
import org.vgpu.virtio.runtime.EventFdInterrupt;
import org.vgpu.virtio.runtime.QueueWorker;
import org.vgpu.virtio.sys.EventFd;

/**
 * Fences of an asynchronous context type through real queues: a fenced SUBMIT_3D's chain is
 * used only once the context signals (from another thread), in order per ring, while other
 * commands complete meanwhile; a context that ends releases what it held.
 */
@Timeout(30)
class ContextFenceTest {
    static final long BASE = 0x100000, DESC = BASE, AVAIL = BASE + 0x1000, USED = BASE + 0x2000, REQS = BASE + 0x10000;
    static final int QSIZE = 32, SLOT = 0x200;
    static final int FENCED = FLAG_FENCE | FLAG_INFO_RING_IDX;

    final EchoContextType slow = new EchoContextType(EchoContextType.CAPSET, 400);
    final GuestMemoryMap mem = new GuestMemoryMap();
    final List<String> resets = new ArrayList<>();
    GpuDevice device;
    EventFd kick, call;
    QueueWorker worker;
    int chains;

    void start() throws Exception {
        mem.addRegion(MemoryRegion.anonymous(BASE, 1 << 20));
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        device = new GpuDevice(GpuSettings.defaults("fence"), selector, slow);
        device.ackFeatures(device.offeredFeatures());
        SplitQueue control = new SplitQueue(0, QSIZE);
        control.setAddresses(DESC, AVAIL, USED);
        control.setReady(true);
        kick = EventFd.create(true);
        call = EventFd.create(true);
        EventFdInterrupt interrupt = new EventFdInterrupt(2, () -> { });
        interrupt.setCallFd(0, call);
        BasicActivation activation = new BasicActivation(mem, new SplitQueue[] {control, null}, interrupt, resets::add, "test");
        device.activate(activation);
        worker = new QueueWorker(device, activation, new EventFd[] {kick, null});
        worker.start();
    }

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.stop();
            device.reset();
            kick.close();
            call.close();
        }
        mem.close();
        slow.shutdown();
    }

    /** Queues one chain: a request of header + le32 words, a 64-byte response. Returns its head. */
    int send(int type, int flags, long fence, int ctx, int ring, int... words) throws Exception {
        int head = 2 * chains;
        long req = REQS + (long) SLOT * chains;
        mem.writeInt(req, type);
        mem.writeInt(req + 4, flags);
        mem.writeLong(req + 8, fence);
        mem.writeInt(req + 16, ctx);
        mem.writeInt(req + 20, ring);
        for (int i = 0; i < words.length; i++) {
            mem.writeInt(req + 24 + 4L * i, words[i]);
        }
        writeDesc(head, req, 24 + 4 * words.length, 1, head + 1);
        writeDesc(head + 1, req + SLOT / 2, 64, 2, 0);
        mem.writeShort(AVAIL + 4 + 2L * chains, (short) head);
        chains++;
        mem.writeShort(AVAIL + 2, (short) chains);
        return head;
    }

    void writeDesc(int i, long addr, int len, int flags, int next) throws Exception {
        mem.writeLong(DESC + 16L * i, addr);
        mem.writeInt(DESC + 16L * i + 8, len);
        mem.writeShort(DESC + 16L * i + 12, (short) flags);
        mem.writeShort(DESC + 16L * i + 14, (short) next);
    }

    int used() throws Exception {
        return mem.readShort(USED + 2) & 0xffff;
    }

    int usedHead(int n) throws Exception {
        return mem.readInt(USED + 4 + 8L * n);
    }

    void awaitUsed(int n) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (used() < n) {
            assertTrue(System.nanoTime() < deadline, "used " + used() + " of " + n);
            Thread.sleep(1);
        }
    }

    int responseOf(int head) throws Exception {
        return mem.readInt(REQS + (long) SLOT * (head / 2) + SLOT / 2);
    }

    /** CTX_CREATE's body: nlen 0, context_init naming the slow type, an empty debug_name[64]. */
    int[] ctxCreate() {
        int[] body = new int[2 + 16];
        body[1] = EchoContextType.CAPSET;
        return body;
    }

    @Test
    void aPendingFenceHoldsOnlyItsChainUntilTheSignalFromAnotherThread() throws Exception {
        start();
        send(CMD_CTX_CREATE, 0, 0, 1, 0, ctxCreate());
        int fenced = send(CMD_SUBMIT_3D, FENCED, 7, 1, 2, 8, 0, 0, 0); // 8 command bytes, target resource 0: nothing to write
        int info = send(CMD_GET_DISPLAY_INFO, 0, 0, 0, 0);
        kick.signal();
        awaitUsed(2);
        assertEquals(0, usedHead(0));
        assertEquals(RESP_OK_NODATA, responseOf(0));
        assertEquals(info, usedHead(1), "the unfenced command completed while the fence is pending");
        Thread.sleep(100);
        assertEquals(2, used(), "the fenced chain waits for its signal");
        assertEquals(1, device.heldChains());
        awaitUsed(3);
        assertEquals(fenced, usedHead(2));
        assertEquals(RESP_OK_NODATA, responseOf(fenced));
        assertEquals(7, mem.readLong(REQS + (long) SLOT * (fenced / 2) + SLOT / 2 + 8), "its fence echoed");
        assertEquals(0, device.heldChains());
        assertTrue(call.consume() > 0, "an interrupt for the late completion");
        assertTrue(slow.events.contains("fence 2 7"), slow.events.toString());
        assertEquals(List.of(), resets);
    }

    @Test
    void fencesOfARingCompleteInOrderAndOtherRingsAreIndependent() throws Exception {
        start();
        send(CMD_CTX_CREATE, 0, 0, 1, 0, ctxCreate());
        int a = send(CMD_CTX_ATTACH_RESOURCE, FENCED, 10, 1, 0, 99, 0); // fails (no resource 99): not held
        int b = send(CMD_GET_DISPLAY_INFO, FENCED, 11, 1, 0); // context 1, ring 0: pending
        int c = send(CMD_GET_DISPLAY_INFO, FENCED, 12, 1, 0);
        int d = send(CMD_GET_DISPLAY_INFO, 0, 0, 0, 0);
        kick.signal();
        awaitUsed(3);
        assertEquals(a, usedHead(1), "an error completes at once");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, responseOf(a));
        assertEquals(d, usedHead(2));
        awaitUsed(5);
        assertEquals(b, usedHead(3), "ring order");
        assertEquals(c, usedHead(4));
    }

    @Test
    void destroyingTheContextReleasesItsHeldChains() throws Exception {
        start();
        send(CMD_CTX_CREATE, 0, 0, 1, 0, ctxCreate());
        int held = send(CMD_GET_DISPLAY_INFO, FENCED, 5, 1, 3);
        int destroy = send(CMD_CTX_DESTROY, 0, 0, 1, 0);
        kick.signal();
        awaitUsed(3);
        assertEquals(List.of(destroy, held), List.of(usedHead(1), usedHead(2)), "the held chain completes once its context ended");
        Thread.sleep(500); // the late signal of a destroyed context is ignored
        assertEquals(3, used());
        assertNull(resets.isEmpty() ? null : resets.get(0));
    }

    @Test
    void theTypeGoingAwayReleasesTheHeldChainsFromItsThread() throws Exception {
        start();
        send(CMD_CTX_CREATE, 0, 0, 1, 0, ctxCreate());
        int held = send(CMD_GET_DISPLAY_INFO, FENCED, 5, 1, 0);
        kick.signal();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (device.heldChains() == 0) {
            assertTrue(System.nanoTime() < deadline);
            Thread.sleep(1);
        }
        device.removeContextType(slow);
        assertEquals(2, used(), "completed by the thread that removed the type");
        assertEquals(held, usedHead(1));
    }
}
