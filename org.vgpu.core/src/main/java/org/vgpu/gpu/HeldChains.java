package org.vgpu.gpu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import org.vgpu.virtio.queue.QueueException;

/**
 * Control-queue chains whose fence a context has not signalled yet, per context and ring in
 * submission order. A signal of fence F marks every chain of that ring with a fence up to F done;
 * done chains complete from the head of the ring only, so a ring's fences complete in order.
 * Used by the control queue's worker (or whoever holds its lock): not thread-safe.
 */
final class HeldChains {
    /** Completes the chain with this head (the response is already written). */
    interface Completion {
        void complete(int head, int written) throws QueueException;
    }

    private static final class Held {
        final int head;
        final int written;
        final long fenceId;
        boolean done;

        Held(int head, int written, long fenceId, boolean done) {
            this.head = head;
            this.written = written;
            this.fenceId = fenceId;
            this.done = done;
        }
    }

    private static final class Ring {
        final ArrayDeque<Held> chains = new ArrayDeque<>();
        long signalled = -1;
    }

    private final Map<GpuContexts.Slot, Map<Integer, Ring>> rings = new HashMap<>();
    private int count;

    /** Whether a chain of this ring still waits (a later fence of the ring must wait behind it). */
    boolean waiting(GpuContexts.Slot slot, int ringIdx) {
        Map<Integer, Ring> m = rings.get(slot);
        Ring r = m == null ? null : m.get(ringIdx);
        return r != null && !r.chains.isEmpty();
    }

    void hold(GpuContexts.Slot slot, int ringIdx, long fenceId, boolean done, int head, int written) {
        Ring r = rings.computeIfAbsent(slot, s -> new HashMap<>()).computeIfAbsent(ringIdx, i -> new Ring());
        r.chains.add(new Held(head, written, fenceId, done || Long.compareUnsigned(fenceId, r.signalled) <= 0 && r.signalled >= 0));
        count++;
    }

    /** The context reached fenceId on the ring: completes the ring's done chains from its head; true if any completed. */
    boolean signalled(GpuContexts.Slot slot, int ringIdx, long fenceId, Completion completion) throws QueueException {
        Map<Integer, Ring> m = rings.get(slot);
        Ring r = m == null ? null : m.get(ringIdx);
        if (r == null) {
            return false;
        }
        if (r.signalled < 0 || Long.compareUnsigned(fenceId, r.signalled) > 0) {
            r.signalled = fenceId;
        }
        for (Held h : r.chains) {
            if (Long.compareUnsigned(h.fenceId, fenceId) <= 0) {
                h.done = true;
            }
        }
        boolean any = false;
        while (!r.chains.isEmpty() && r.chains.peek().done) {
            Held h = r.chains.poll();
            count--;
            completion.complete(h.head, h.written);
            any = true;
        }
        return any;
    }

    /** The context ended: every chain it held completes (the guest must not wait forever), ring by ring in order. */
    boolean ended(GpuContexts.Slot slot, Completion completion) throws QueueException {
        Map<Integer, Ring> m = rings.remove(slot);
        if (m == null) {
            return false;
        }
        for (Ring r : m.values()) {
            Held h;
            while ((h = r.chains.poll()) != null) {
                count--;
                completion.complete(h.head, h.written);
            }
        }
        return true;
    }

    /** Chains held now. */
    int count() {
        return count;
    }

    /** Device reset: the queues are gone, nothing completes. */
    void clear() {
        rings.clear();
        count = 0;
    }
}
