package org.vgpu.mmio;

import org.vgpu.virtio.queue.SplitQueue;

/**
 * What the driver wrote for one queue (QueueNum, the three ring addresses as low/high halves,
 * QueueReady), kept apart from the {@link SplitQueue} the device uses: before DRIVER_OK these
 * are only register values, and a hostile value stays here instead of reaching the ring code.
 */
final class QueueRegisters {
    private final int maxSize;
    private int size;
    private boolean sizeValid;
    private long desc;
    private long driver;
    private long device;
    private boolean ready;

    /** maxSize 0 means the device has no such queue: it can never be made ready. */
    QueueRegisters(int maxSize) {
        this.maxSize = maxSize;
        reset();
    }

    int maxSize() {
        return maxSize;
    }

    /**
     * Remembers QueueNum. A size the ring cannot have (0, above QueueNumMax, not a power of two)
     * is remembered as invalid rather than dropped: keeping the old size would make the device
     * walk rings laid out for another size, so QueueReady=1 is refused instead.
     */
    void setSize(int value) {
        size = value;
        sizeValid = value > 0 && value <= maxSize && Integer.bitCount(value) == 1;
    }

    void setDescLow(int v) {
        desc = low(desc, v);
    }

    void setDescHigh(int v) {
        desc = high(desc, v);
    }

    void setDriverLow(int v) {
        driver = low(driver, v);
    }

    void setDriverHigh(int v) {
        driver = high(driver, v);
    }

    void setDeviceLow(int v) {
        device = low(device, v);
    }

    void setDeviceHigh(int v) {
        device = high(device, v);
    }

    /** Returns whether the queue is now ready: enabling needs a valid size. */
    boolean setReady(boolean enable) {
        ready = enable && sizeValid && maxSize > 0;
        return ready;
    }

    boolean isReady() {
        return ready;
    }

    /** Copies size and addresses into the queue the device will use (not its ready flag). */
    void configure(SplitQueue queue, boolean eventIdx) {
        queue.reset();
        queue.setSize(size);
        queue.setAddresses(desc, driver, device);
        queue.setEventIdx(eventIdx);
    }

    /** Reset values: size = QueueNumMax (as virtio-pci's queue_size and QEMU's mmio), addresses 0, not ready. */
    void reset() {
        size = maxSize;
        sizeValid = maxSize > 0;
        desc = 0;
        driver = 0;
        device = 0;
        ready = false;
    }

    private static long low(long old, int v) {
        return old & 0xffffffff_00000000L | (v & 0xffffffffL);
    }

    private static long high(long old, int v) {
        return old & 0xffffffffL | (long) v << 32;
    }
}
