package org.vgpu.mmio.vm;

/** A level-driven interrupt input (KVM_IRQ_LINE): the 16550 raises and lowers its line. */
@FunctionalInterface
public interface IrqLevel {

    void set(boolean high);
}
