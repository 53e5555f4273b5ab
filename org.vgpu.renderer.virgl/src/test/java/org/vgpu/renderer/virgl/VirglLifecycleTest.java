package org.vgpu.renderer.virgl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.vgpu.gpu.protocol.Protocol.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * The renderer coming and going while a guest runs (the bundle stopping and starting), and one
 * renderer per process: a second device in the process stays 2D while the first holds it.
 */
@Timeout(60)
class VirglLifecycleTest {

    @Test
    void stoppingTheRendererFailsItsContextsAndResourcesWhileThe2dDeviceGoesOn() throws Exception {
        VirglContextType[] types = TestVirgl.types();
        try (GuestMemoryMap memory = new GuestMemoryMap()) {
            memory.addRegion(MemoryRegion.anonymous(GpuHarness.RAM_BASE, 32 << 20));
            VirglRenderingTest t = new VirglRenderingTest();
            t.h = new GpuHarness(GpuSettings.defaults("virgl-life"), 32 << 20, types);
            t.h.state.setMemory(memory);
            GpuHarness h = t.h;
            t.renderTarget();
            // The bundle stops: its services go (the device destroys its contexts, closes the renderer), then virglrenderer is cleaned up.
            h.state.removeContextType(types[0]);
            h.state.removeContextType(types[1]);
            TestVirgl.get().stop();
            assertEquals(RESP_ERR_INVALID_CONTEXT_ID, t.submit(VirglRenderingTest.CTX, new VirglStream().clear(1, 1, 1, 1).bytes()),
                    "its context is gone");
            assertEquals(RESP_ERR_UNSPEC, t.transfer3d(CMD_TRANSFER_FROM_HOST_3D, 0, VirglRenderingTest.RES, 0, 0, 0, 4, 4, 1, 0, 0, 0, 0),
                    "its resource is dead");
            assertEquals(RESP_OK_NODATA, h.unref(VirglRenderingTest.RES), "a dead resource can still be unreferenced");
            long[] pages = h.pages(64 * 64 * 4);
            assertEquals(RESP_OK_NODATA, h.create(9, FORMAT_B8G8R8X8, 64, 64), "2D goes on");
            assertEquals(RESP_OK_NODATA, h.attach(9, pages, GpuHarness.pageLengths(pages.length)));
            assertEquals(RESP_OK_NODATA, h.transfer(9, 0, 0, 64, 64, 0));
            h.state.reset();
            assertEquals(0L, h.state.offeredFeatures() & 1L << F_VIRGL, "after reset without the renderer: a 2D device");
        }
        // The bundle starts again: virglrenderer initialises anew and a device renders after its next reset.
        TestVirgl.restart();
        VirglRenderingTest again = new VirglRenderingTest();
        again.start();
        try {
            again.aClearRendersAndComesBackExactlyIntoGuestMemory();
        } finally {
            again.stop();
        }
    }

    /**
     * virglrenderer starts on first use: registering the types and naming them (the service
     * properties) starts nothing; a device reading its features does. A renderer that cannot start
     * leaves the device 2D; a stopped starter starts nothing.
     */
    @Test
    void theRendererStartsWhenADeviceFirstAsksAndAFailedStartLeavesThe2dDevice() {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        Virgl running = TestVirgl.get();
        VirglContextType lazy = new VirglContextType(() -> {
            asked.incrementAndGet();
            return running;
        }, 2);
        assertEquals("virgl2", lazy.name());
        assertEquals(2, lazy.capsetId());
        assertEquals(0, asked.get(), "naming the type started nothing");
        org.vgpu.gpu.GpuState device = new org.vgpu.gpu.GpuState(GpuSettings.defaults("virgl-lazy"),
                new org.vgpu.gpu.backend.RankedBackendSelector(), lazy);
        assertEquals(0, asked.get(), "a device with the type, before anything reads its features");
        assertEquals(1L << F_VIRGL, device.offeredFeatures() & 1L << F_VIRGL, "the feature read starts it and offers VIRGL");
        assertNotEquals(0, asked.get());

        java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
        VirglStarter failing = new VirglStarter(new Virgl.Options(false, null));
        VirglContextType broken = new VirglContextType(() -> {
            starts.incrementAndGet();
            throw new IllegalStateException("virglrenderer did not start: no EGL");
        }, 1);
        GpuHarness twoD = new GpuHarness(GpuSettings.defaults("virgl-broken"), 32 << 20, broken);
        assertEquals(0L, twoD.state.offeredFeatures() & 1L << F_VIRGL, "a renderer that cannot start is not offered");
        assertEquals(RESP_OK_NODATA, twoD.create(9, FORMAT_B8G8R8X8, 64, 64), "the device goes on in 2D");
        assertNotEquals(0, starts.get());
        failing.stop();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, failing::get, "a stopped starter starts nothing");
        assertEquals(false, failing.started());
    }

    @Test
    void oneDeviceAtATimeHoldsTheProcesssRenderer() {
        VirglContextType[] types = TestVirgl.types();
        GpuHarness first = new GpuHarness(GpuSettings.defaults("virgl-first"), 1 << 20, types);
        GpuHarness second = new GpuHarness(GpuSettings.defaults("virgl-second"), 1 << 20, types);
        try {
            assertNotEquals(0L, first.state.offeredFeatures() & 1L << F_VIRGL);
            assertEquals(0L, second.state.offeredFeatures() & 1L << F_VIRGL, "virgl ids are process-global: the second device stays 2D");
            assertEquals(RESP_ERR_INVALID_PARAMETER, second.cmd(CMD_GET_CAPSET_INFO, 0, 0));
            first.state.reset(); // gives the renderer up
            second.state.reset();
            assertNotEquals(0L, second.state.offeredFeatures() & 1L << F_VIRGL, "after the first let go, the next may take it");
            assertNotEquals(0L, first.state.offeredFeatures() & 1L << F_VIRGL, "offering does not take it");
            second.state.setFeatures(second.state.offeredFeatures()); // the driver's ack does
            assertNull(types[0].openRenderer("virgl-first"), "and the first now cannot");
        } finally {
            first.state.reset();
            second.state.reset();
        }
    }
}
