package org.vgpu.vhostuser;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;

/**
 * Two GPU devices on two sockets share the display sink. The first VMM never reads its display
 * socket, so its device blocks sending a frame; the second device keeps serving its control queue.
 */
class DisplayIsolationTest {
    @TempDir
    Path dir;

    static GpuDevice gpu(String name, DisplayChannels displays) {
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        GpuDevice device = new GpuDevice(new GpuSettings(name, 1, 1920, 1080, 256L << 20), selector);
        device.addSink(displays);
        return device;
    }

    @Test
    void aStuckDisplayStallsOnlyItsOwnDevice() throws Exception {
        DisplayChannels displays = new DisplayChannels();
        VhostUserServer a = new VhostUserServer(gpu("gpuA", displays), VhostUserProtocolTest.config(dir.resolve("a.sock").toString()), displays);
        VhostUserServer b = new VhostUserServer(gpu("gpuB", displays), VhostUserProtocolTest.config(dir.resolve("b.sock").toString()), displays);
        try (GpuDriver stuck = new GpuDriver(dir.resolve("a.sock"), false)) {
            stuck.createScatteredResource(1, 1920, 1080, true);
            stuck.submitFrame(1, 1920, 1080); // 8 MB UPDATE into a socket nobody reads: gpuA blocks
            Thread.sleep(200);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try (GpuDriver healthy = new GpuDriver(dir.resolve("b.sock"))) {
                    healthy.createScatteredResource(1, 1920, 1080, true);
                    long seen = 0;
                    for (int i = 0; i < 5; i++) {
                        healthy.submitFrame(1, 1920, 1080);
                        healthy.awaitAll();
                        seen = healthy.display().awaitUpdateAfter(seen, 10_000);
                    }
                    assertTrue(seen >= 5, "gpuB's frames reached its display");
                }
            });
        } finally {
            a.deactivate();
            b.deactivate();
        }
    }
}
