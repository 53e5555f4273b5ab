package org.vgpu.itest.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Which failed host-VM runs get their one retry: the emulation's failures, not vgpu's. */
class HostVmScenarioTest {

    @Test
    void aCrashedScenarioJvmOrADeadGuestIsRetriedWithItsCause() {
        assertEquals("its JVM crashed in the host VM: # J 123 c1 org.vgpu.itest.guest.GuestImage.pixel(II)I",
                HostVmScenario.retryCause("x\n# " + HostVmScenario.JVM_CRASH + "\n# J 123 c1 org.vgpu.itest.guest.GuestImage.pixel(II)I\n"));
        assertEquals("the micro-VM's guest died: vm: RESET: triple fault, rip 0xffffffff81000000 after 69.97 s, 39498 exits",
                HostVmScenario.retryCause("VGPU-EV k KEY 48 1\nINFO: vm: RESET: triple fault, rip 0xffffffff81000000 after 69.97 s, 39498 exits\nmore\n"));
    }

    @Test
    void aHostVmWhoseKernelHungUntilTheTimeoutIsRetried() {
        String log = "FACT vgpu-start-ms = 32606\nhost-vm: no result within 900s (timeout); serial log:\nHOSTVM-READY\n"
                + "[  243.766880] INFO: task khugepaged:41 blocked for more than 120 seconds.\n[  243.771354]       Not tainted\n";
        assertEquals("the host VM's kernel hung before the scenario ended: INFO: task khugepaged:41 blocked for more than 120 seconds.",
                HostVmScenario.retryCause(log));
        assertNull(HostVmScenario.retryCause("host-vm: no result within 900s (timeout); serial log:\nHOSTVM-READY\n"),
                "a timeout without a hung kernel is the scenario's own");
    }

    /** vgpu:vm as Vcpu.describeState and MicroVmComponent.vm write it, at the stall the input benchmark once read. */
    static String readout(String mp, String rip, String exception, String cr2) {
        return "guest running, 29876 VM exits\nvcpu0: " + mp + ", rip " + rip + ", rsp 0xff7bd7e60064fb00, interrupts on (rflags 0x10246),"
                + " shadow 0, injecting nothing, nmi pending 0 masked 0, exception " + exception + ", cr2 " + cr2
                + "; lapic enabled, tpr 0x0, ppr 0x0, irr [0x22, 0xec], isr [], timer lvt 0xec count 0\ncode at rip: not mapped\n"
                + "kvm counters: exits 203117, pf_guest 203001\n";
    }

    @Test
    void aVcpuKvmKeepsDeliveringOneExceptionAtOneRipIsWedged() {
        String wedged = readout("runnable", "0xffffffffc06a0b40", "injected vector 14, error code 0x10", "0xffffffffc06a0b40");
        assertEquals("vcpu0 runnable at rip 0xffffffffc06a0b40 (rsp 0xff7bd7e60064fb00) with KVM delivering exception vector 14, error code 0x10,"
                + " cr2 0xffffffffc06a0b40, code at rip: not mapped", HostVmScenario.wedgedVcpu(wedged, wedged));
        String pending = readout("runnable", "0xffffffffc06a0b40", "pending vector 14, error code 0x10", "0xffffffffc06a0b40");
        assertEquals(HostVmScenario.wedgedVcpu(wedged, wedged), HostVmScenario.wedgedVcpu(wedged, pending),
                "injected or pending, it is the same delivery");
    }

    @Test
    void aVcpuThatMovesOrWaitsIsNotWedged() {
        String wedged = readout("runnable", "0xffffffffc06a0b40", "injected vector 14, error code 0x10", "0xffffffffc06a0b40");
        assertNull(HostVmScenario.wedgedVcpu(wedged,
                readout("runnable", "0xffffffff81234567", "injected vector 14, error code 0x10", "0xffffffffc06a0b40")), "another rip");
        assertNull(HostVmScenario.wedgedVcpu(wedged,
                readout("runnable", "0xffffffffc06a0b40", "injected vector 14, error code 0x10", "0x7f0000001000")), "another fault address");
        assertNull(HostVmScenario.wedgedVcpu(wedged,
                readout("runnable", "0xffffffffc06a0b40", "injected vector 13, error code 0x0", "0xffffffffc06a0b40")), "another exception");
        String halted = readout("halted", "0xffffffff81e3c2a1", "none", "0x7f0000001000");
        assertNull(HostVmScenario.wedgedVcpu(halted, halted), "a guest halted waiting for a device is vgpu's to answer");
        String spinning = readout("runnable", "0xffffffff81e3c2a1", "none", "0x0");
        assertNull(HostVmScenario.wedgedVcpu(spinning, spinning), "a spin without an exception");
        assertNull(HostVmScenario.wedgedVcpu("(no vgpu:vm: connection refused)", wedged));
    }

    @Test
    void aScenarioWhoseGuestWedgedIsRetriedOnceWithTheCause() {
        String failed = "FACT devices:\nSCENARIO-FAILED org.vgpu.itest.hostvm.ScenarioSupport$GuestWedged: " + HostVmScenario.GUEST_WEDGED
                + " vcpu0 runnable at rip 0xffffffffc06a0b40 with KVM delivering exception vector 14 (while waiting for VGPU-INPUT-DONE)\n\tat x\n";
        assertEquals("the micro-VM's guest wedged: GUEST-WEDGED vcpu0 runnable at rip 0xffffffffc06a0b40 with KVM delivering exception"
                + " vector 14 (while waiting for VGPU-INPUT-DONE)", HostVmScenario.retryCause(failed));
        assertNull(HostVmScenario.retryCause("BOOT-RETRY MICROVM boot 1: the guest's vCPU wedged: vcpu0 ...\n" + failed),
                "a guest that had its retry inside the scenario gets no second one");
    }

    @Test
    void anyOtherFailureIsTheScenariosResult() {
        assertNull(HostVmScenario.retryCause("SCENARIO-FAILED java.lang.AssertionError: no 'VGPU-EV k KEY 48 0' within 60 s\nvm: POWER_OFF: ACPI S5\n"));
        assertNull(HostVmScenario.retryCause("vm: RESET: i8042 reset\n"));
        assertNull(HostVmScenario.retryCause("BOOT-RETRY MICROVM fbimage: triple fault\nvm: RESET: triple fault, rip 0x1 after 3 s\n"),
                "a guest that had its retry inside the scenario gets no second one");
    }
}
