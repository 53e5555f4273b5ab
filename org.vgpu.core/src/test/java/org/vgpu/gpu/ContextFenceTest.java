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

/**
 * Fences of an asynchronous context type through real queues: a fenced SUBMIT_3D's chain is
 * used only once the context signals (from another thread), in order per ring, while other
 * commands complete meanwhile; a context that ends releases what it held.
 */
@Timeout(30)
class ContextFenceTest {
    static final int FENCED = FLAG_FENCE | FLAG_INFO_RING_IDX;

    final EchoContextType slow = new EchoContextType(EchoContextType.CAPSET, 400);
    final GuestMemoryMap mem = new GuestMemoryMap();
    final List<String> resets = new ArrayList<>();
    GpuDevice device;
    ControlQueueDriver queue;

    void start() throws Exception {
        mem.addRegion(MemoryRegion.anonymous(ControlQueueDriver.DESC, 4 << 20));
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        device = new GpuDevice(GpuSettings.defaults("fence"), selector, slow);
        device.ackFeatures(device.offeredFeatures());
        queue = new ControlQueueDriver(device, mem, List.of(), resets::add);
    }

    @AfterEach
    void stop() {
        if (queue != null) {
            queue.close();
            device.reset();
        }
        mem.close();
        slow.shutdown();
    }

    /** Queues one request of header + le32 words (not kicked); returns its chain number. */
    int send(int type, int flags, long fence, int ctx, int ring, int... words) throws Exception {
        return queue.queue(ControlQueueDriver.requestWords(type, flags, fence, ctx, ring, words));
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
        queue.kick();
        queue.awaitUsed(2);
        assertEquals(0, queue.usedChain(0));
        assertEquals(RESP_OK_NODATA, queue.response(0));
        assertEquals(info, queue.usedChain(1), "the unfenced command completed while the fence is pending");
        Thread.sleep(100);
        assertEquals(2, queue.used(), "the fenced chain waits for its signal");
        assertEquals(1, device.heldChains());
        queue.awaitUsed(3);
        assertEquals(fenced, queue.usedChain(2));
        assertEquals(RESP_OK_NODATA, queue.response(fenced));
        assertEquals(7, queue.responseFence(fenced), "its fence echoed");
        assertEquals(0, device.heldChains());
        assertTrue(queue.consumeInterrupts() > 0, "an interrupt for the late completion");
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
        queue.kick();
        queue.awaitUsed(3);
        assertEquals(a, queue.usedChain(1), "an error completes at once");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, queue.response(a));
        assertEquals(d, queue.usedChain(2));
        queue.awaitUsed(5);
        assertEquals(b, queue.usedChain(3), "ring order");
        assertEquals(c, queue.usedChain(4));
    }

    @Test
    void destroyingTheContextReleasesItsHeldChains() throws Exception {
        start();
        send(CMD_CTX_CREATE, 0, 0, 1, 0, ctxCreate());
        int held = send(CMD_GET_DISPLAY_INFO, FENCED, 5, 1, 3);
        int destroy = send(CMD_CTX_DESTROY, 0, 0, 1, 0);
        queue.kick();
        queue.awaitUsed(3);
        assertEquals(List.of(destroy, held), List.of(queue.usedChain(1), queue.usedChain(2)), "the held chain completes once its context ended");
        Thread.sleep(500); // the late signal of a destroyed context is ignored
        assertEquals(3, queue.used());
        assertNull(resets.isEmpty() ? null : resets.get(0));
    }

    @Test
    void theTypeGoingAwayReleasesTheHeldChainsFromItsThread() throws Exception {
        start();
        send(CMD_CTX_CREATE, 0, 0, 1, 0, ctxCreate());
        int held = send(CMD_GET_DISPLAY_INFO, FENCED, 5, 1, 0);
        queue.kick();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (device.heldChains() == 0) {
            assertTrue(System.nanoTime() < deadline);
            Thread.sleep(1);
        }
        device.removeContextType(slow);
        assertEquals(2, queue.used(), "completed by the thread that removed the type");
        assertEquals(held, queue.usedChain(1));
    }
}
