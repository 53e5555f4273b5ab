package org.vgpu.virtio.queue;

import java.util.concurrent.atomic.LongAdder;

/** Counters for the shell; safe to update and read from any thread. */
public final class QueueStats {
    private final LongAdder kicks = new LongAdder();
    private final LongAdder notifications = new LongAdder();
    private final LongAdder chains = new LongAdder();
    private final LongAdder rejectedChains = new LongAdder();

    /** Driver-to-device notifications consumed. */
    public long kicks() {
        return kicks.sum();
    }

    /** Device-to-driver notifications the queue asked for (shouldNotify returned true). */
    public long notifications() {
        return notifications.sum();
    }

    /** Chains completed by the device. */
    public long chains() {
        return chains.sum();
    }

    /** Malformed chains returned to the driver unprocessed. */
    public long rejectedChains() {
        return rejectedChains.sum();
    }

    public void countKick() {
        kicks.increment();
    }

    public void countNotification() {
        notifications.increment();
    }

    void countChain() {
        chains.increment();
    }

    void countRejected() {
        rejectedChains.increment();
    }

    @Override
    public String toString() {
        return "kicks=" + kicks() + " notifications=" + notifications() + " chains=" + chains()
                + " rejected=" + rejectedChains();
    }
}
