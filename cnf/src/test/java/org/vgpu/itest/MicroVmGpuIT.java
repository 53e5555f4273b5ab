package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vgpu.itest.guest.HostVmScenario;
import org.vgpu.itest.hostvm.MicroVmGpuScenario;

/**
 * A real Linux guest's virtio_gpu driver on virtio-mmio in vgpu's own micro-VM: this machine's
 * KVM cannot run Linux, so {@link MicroVmGpuScenario} runs in the test host VM (cnf/scripts/host-vm)
 * with the assembled vgpu.jar booting the guest itself.
 */
class MicroVmGpuIT {

    @Test
    void guestDrawsTheKnownImageOverVirtioMmioAndThePlatformEndsWithIt() throws Exception {
        String out = runScenario("");
        assertTrue(out.contains("[drm] features: -virgl"), out);
    }

    /** ./vgpu vm --cross-domain: the guest takes the 3D path (VIRGL, CONTEXT_INIT, capset 5) and still draws pixel-exact. */
    @Test
    void crossDomainGpuOverVirtioMmio() throws Exception {
        String out = runScenario("--cross-domain");
        assertTrue(out.contains("[drm] features: +context_init"), out);
        assertTrue(out.contains("cap set 0: id 5"), out);
    }

    /**
     * The guest program vgpu-hostblob: cross-domain context, image requirements, a HOST3D blob mapped
     * into the host-visible region (a KVM slot of vgpu's memfd), the image written there and scanned
     * out: vgpu's screenshot is pixel-exact with nothing copied.
     */
    @Test
    void aGuestDrawsIntoHostMemoryVgpuMappedIntoIt() throws Exception {
        String out = runScenario("--hostblob");
        assertTrue(out.contains("FACT hostblob = VGPU-HOSTBLOB stride=5120 size=4096000"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("FACT hostmem-stats = hostmem\\s+0\\s+.*")), out);
    }

    /**
     * vgpu's micro-VM as the guest side of the Wayland path: vgpu-wlwindow in the guest speaks
     * Wayland over gpu0's cross-domain channel to a weston in the host VM (gpu0's wayland.socket from
     * $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY), its buffer a HOST3D blob mapped by a KVM slot: weston's
     * screenshot is the known image pixel-exact, nothing copied.
     */
    @Test
    void aGuestWindowReachesTheHostCompositorOverVirtioMmio() throws Exception {
        String out = scenarioPassed("--wayland");
        assertTrue(out.contains("FACT weston-screenshot-mismatching-pixels = 0"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("FACT hostmem-stats = hostmem\\s+0\\s+.*")), out);
    }

    /** The scenario's output once it passed and vgpu exited 0. */
    private static String scenarioPassed(String args) throws Exception {
        HostVmScenario.Result r = HostVmScenario.run(MicroVmGpuScenario.class, args, 600);
        String out = r.output();
        assertEquals(0, r.status(), out);
        assertTrue(out.contains("SCENARIO-OK"), out);
        assertTrue(out.contains("FACT vgpu-exit-status = 0"), out);
        return out;
    }

    private static String runScenario(String args) throws Exception {
        String out = scenarioPassed(args);
        assertTrue(out.contains("FACT screenshot-mismatching-pixels = 0"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("  \\| virtio-mmio\\s+micro-VM\\s+gpu0\\s+active.*")), out);
        assertTrue(out.contains("Host memory window: 0x100000000 +0x40000000"), out);
        return out;
    }
}
