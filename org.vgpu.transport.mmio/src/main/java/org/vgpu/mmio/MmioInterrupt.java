package org.vgpu.mmio;

import static org.vgpu.mmio.MmioRegisters.INT_CONFIG_CHANGE;
import static org.vgpu.mmio.MmioRegisters.INT_USED_BUFFER;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

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
        line.trigger();
    }

    int status() {
        return status.get();
    }

    /** InterruptACK: clears the bits the driver has handled. */
    void acknowledge(int bits) {
        status.getAndUpdate(s -> s & ~bits);
    }

    void clear() {
        status.set(0);
    }
}
