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

    @Test
    void anyOtherFailureIsTheScenariosResult() {
        assertNull(HostVmScenario.retryCause("SCENARIO-FAILED java.lang.AssertionError: no 'VGPU-EV k KEY 48 0' within 60 s\nvm: POWER_OFF: ACPI S5\n"));
        assertNull(HostVmScenario.retryCause("vm: RESET: i8042 reset\n"));
        assertNull(HostVmScenario.retryCause("BOOT-RETRY MICROVM fbimage: triple fault\nvm: RESET: triple fault, rip 0x1 after 3 s\n"),
                "a guest that had its retry inside the scenario gets no second one");
    }
}
