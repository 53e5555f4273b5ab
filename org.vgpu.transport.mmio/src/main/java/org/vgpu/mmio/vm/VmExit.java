package org.vgpu.mmio.vm;

/** How a VM run ended. */
public record VmExit(Kind kind, String detail) {

    public enum Kind {
        /** ACPI S5 or a KVM shutdown event: the guest powered off. */
        POWER_OFF,
        /** The guest asked for a reset (i8042, triple fault after it ran, KVM reset event); the VM does not reboot. */
        RESET,
        /** The guest reported a crash (KVM crash event). */
        CRASH,
        /** The host stopped the VM ({@link MicroVm#stop}). */
        STOPPED,
        /** KVM could not run the guest: entry failure, internal error, KVM_RUN error, early triple fault. */
        KVM_FAILURE
    }

    @Override
    public String toString() {
        return kind + (detail.isEmpty() ? "" : ": " + detail);
    }
}
