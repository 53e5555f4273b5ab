package org.vgpu.mmio.bus;

/**
 * An edge-triggered interrupt line into the guest (a KVM irqfd in the micro-VM, a counter in
 * tests). virtio-mmio devices are described to the guest as edge-triggered, so a pulse per event
 * is enough: the driver reads InterruptStatus until it is clear.
 */
@FunctionalInterface
public interface IrqLine {

    void trigger();
}
