package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vgpu.itest.guest.HostVmScenario;
import org.vgpu.itest.hostvm.MicroVmInputScenario;

/**
 * A real Linux guest's virtio_input driver on virtio-mmio in vgpu's micro-VM (in the test host VM,
 * as MicroVmGpuIT): keyboard0 and tablet0 named as configured, host keys and positions read by the
 * guest exactly, the guest's CapsLock LED seen by vgpu; keys typed and a click in a real VNC client
 * (TigerVNC's vncviewer) on the platform's --vnc server read by the guest exactly. The latency
 * benchmark (MicroVmInputScenario --bench) is cnf/scripts/bench micro-vm's. See {@link MicroVmInputScenario}.
 */
class MicroVmInputIT {

    @Test
    void guestReadsHostKeysAndPositionsAndSetsItsLed() throws Exception {
        HostVmScenario.Result r = HostVmScenario.run(MicroVmInputScenario.class, "", 600);
        String out = r.output();
        assertEquals(0, r.status(), out);
        assertTrue(out.contains("SCENARIO-OK"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("FACT guest-input-device = VGPU-INPUT-DEVICE event\\d+ vgpu keyboard keyboard0")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("FACT guest-input-device = VGPU-INPUT-DEVICE event\\d+ vgpu tablet tablet0")), out);
        assertTrue(out.contains("vgpu tablet tablet0: ABS 0 2559"), out);
        assertTrue(out.contains("FACT vgpu-exit-status = 0"), out);
        // Typed and clicked in TigerVNC's vncviewer on ./vgpu vm --vnc: the scenario checks the exact codes and position.
        assertTrue(out.contains("vgpu keyboard keyboard0: KEY 28 0"), out);
        assertTrue(out.contains("vgpu tablet tablet0: KEY 272 0"), out);
    }
}
