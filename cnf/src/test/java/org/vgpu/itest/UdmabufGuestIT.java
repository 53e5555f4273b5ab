package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.Test;
import org.vgpu.itest.guest.HostVmScenario;
import org.vgpu.itest.hostvm.UdmabufGuestScenario;

/**
 * A real Linux guest's framebuffer served zero-copy through a real udmabuf: this machine's kernel
 * has none, so {@link UdmabufGuestScenario} runs in the test host VM (cnf/scripts/host-vm) with
 * the assembled vgpu.jar, a KVM-accelerated QEMU guest and this build's classes.
 */
class UdmabufGuestIT {

    @Test
    void guestFramebufferIsADmabufAndSurvivesTheBackendLeaving() throws Exception {
        HostVmScenario.Result r = HostVmScenario.run(UdmabufGuestScenario.class, "", 900);
        String out = r.output();
        assertEquals(0, r.status(), out);
        assertTrue(out.contains("SCENARIO-OK"), out);
        assertTrue(out.contains("FACT dmabuf-mismatching-pixels = 0"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("FACT udmabuf-frames = \\d+ TRANSFERs in \\d+ ms; per TRANSFER: 0 bytes copied, [1-9]\\d* bytes shared, [1-9]\\d* display bytes")), out);
    }
}
