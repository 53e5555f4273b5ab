package org.vgpu.vhostuser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.vgpu.backend.udmabuf.UdmabufBackend;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;

/**
 * Copy vs udmabuf for the same frame workload, side by side in one run: a 1920x1080 framebuffer on
 * scattered guest pages (runs of 16 contiguous pages), TRANSFER + FLUSH per frame with the UPDATE at the display socket. Prints
 * frames/s and the bytes TRANSFER copied per frame for each. Needs /dev/udmabuf: run it in the
 * host VM (cnf/scripts/bench does).
 */
public final class BackendFrameBenchmark {
    static final int W = 1920, H = 1080, FRAMES = 200;
    /** Backing in 64 KiB runs (127 memfd ranges, within udmabuf's list_limit); page-by-page would be 2025. */
    static final int RUN_PAGES = 16;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vgpu-backend-bench");
        System.out.printf("%-10s %12s %22s %20s%n", "backend", "frames/s", "TRANSFER bytes/frame", "chosen because");
        for (List<String> preference : List.of(List.of("copy"), List.of("udmabuf", "copy"))) {
            RankedBackendSelector selector = new RankedBackendSelector();
            selector.add(new CopyBackend(), -100);
            selector.add(new UdmabufBackend(), 100);
            selector.setRules(new RankedBackendSelector.Rules(preference, 0, "copy", Map.of()));
            DisplayChannels displays = new DisplayChannels();
            GpuDevice gpu = new GpuDevice(new GpuSettings("bench", 1, W, H, 256L << 20), selector);
            gpu.addSink(displays);
            Path sock = dir.resolve(preference.get(0) + ".sock");
            VhostUserServer server = new VhostUserServer(gpu, config(sock), displays);
            try (GpuDriver d = new GpuDriver(sock)) {
                d.display().updates(DisplayPeer.Updates.COPY_INTO_ONE);
                d.createScatteredResource(1, W, H, true, RUN_PAGES);
                d.fillScattered(W, H, 1);
                long seen = 0;
                for (int i = 0; i < 20; i++) {
                    seen = frame(d, seen);
                }
                long copied0 = copied(gpu);
                long t0 = System.nanoTime();
                for (int i = 0; i < FRAMES; i++) {
                    seen = frame(d, seen);
                }
                long t1 = System.nanoTime();
                var info = gpu.state().resource(1);
                System.out.printf("%-10s %12.1f %22d   %s%n", info.backend(), FRAMES / ((t1 - t0) / 1e9),
                        (copied(gpu) - copied0) / FRAMES, info.backendReason());
            } finally {
                server.deactivate();
                gpu.close();
            }
        }
    }

    static long frame(GpuDriver d, long seen) throws Exception {
        d.submitFrame(1, W, H);
        d.awaitAll();
        return d.display().awaitUpdateAfter(seen, 10_000);
    }

    static long copied(GpuDevice gpu) {
        return gpu.state().statsSnapshot().bytesCopied();
    }

    static VhostUserServer.Config config(Path socket) {
        return new VhostUserServer.Config() {
            @Override public Class<? extends java.lang.annotation.Annotation> annotationType() { return VhostUserServer.Config.class; }
            @Override public String socket_path() { return socket.toString(); }
            @Override public int fd() { return -1; }
            @Override public String device_target() { return ""; }
            @Override public int host_visible_mib() { return 0; }
            @Override public int queue_poll_us() { return 50; }
        };
    }
}
