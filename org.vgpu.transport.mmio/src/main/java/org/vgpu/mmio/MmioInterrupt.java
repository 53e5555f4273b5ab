package org.vgpu.mmio;

import static org.vgpu.mmio.MmioRegisters.INT_CONFIG_CHANGE;
import static org.vgpu.mmio.MmioRegisters.INT_USED_BUFFER;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.vgpu.mmio.bus.IrqLine;
import org.vgpu.virtio.api.Interrupt;

/**
 * The device-to-driver path of virtio-mmio: one IRQ line for the whole device, the reason in
 * InterruptStatus. Lock-free, because the queue worker signals while a vCPU may hold the
 * transport (and wait for that worker to stop).
 */
final class MmioInterrupt implements Interrupt {
    private final IrqLine line;
    private final AtomicInteger status = new AtomicInteger();
    private final LongAdder raised = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();

    MmioInterrupt(IrqLine line) {
        this.line = Objects.requireNonNull(line, "line");
    }

    @Override
    public void signalQueue(int queueIndex) {
        raise(INT_USED_BUFFER); // virtio-mmio does not say which queue: the driver scans all
    }

    @Override
    public void signalConfig() {
        raise(INT_CONFIG_CHANGE);
    }

    /** Sets the bit before the edge, so the driver's handler always finds a reason. */
    private void raise(int bit) {
        status.getAndUpdate(s -> s | bit);
        raised.increment();
        line.trigger();
    }

    int status() {
        return status.get();
    }

    /** InterruptACK: clears the bits the driver has handled. */
    void acknowledge(int bits) {
        status.getAndUpdate(s -> s & ~bits);
        acknowledged.increment();
    }

    /**
     * For the shell: the status bits, edges raised and acknowledgements seen. A bit that stays set
     * while edges go on rising tells an interrupt the driver never took from events it never got.
     */
    String describe() {
        return String.format("interrupt status 0x%x, %d raised, %d acked", status.get(), raised.sum(), acknowledged.sum());
    }

    void clear() {
        status.set(0);
    }
}
