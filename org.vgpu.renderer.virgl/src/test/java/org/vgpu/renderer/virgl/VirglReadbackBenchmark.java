package org.vgpu.renderer.virgl;

import java.nio.ByteBuffer;

/**
 * What showing a 3D frame costs vgpu: the readback of a rendered 1280x800 B8G8R8A8 resource from
 * virglrenderer (llvmpipe) into the host copy the display sinks read, per frame, beside a bare
 * copy of the same bytes between two direct buffers in the same run. A benchmark (prints figures),
 * not a test: cnf/scripts/bench virgl.
 */
public final class VirglReadbackBenchmark {
    static final int W = 1280, H = 800, RES = 1, FRAMES = 300, FORMAT_B8G8R8A8 = 1;
    static final int TARGET_2D = 2, BIND_RENDER_TARGET = 1 << 1, BIND_SAMPLER_VIEW = 1 << 3;

    public static void main(String[] args) {
        Virgl virgl = TestVirgl.get();
        VirglDevice device = virgl.claim("bench");
        org.vgpu.gpu.context.Resource3d r = new org.vgpu.gpu.context.Resource3d(RES, TARGET_2D, FORMAT_B8G8R8A8,
                BIND_RENDER_TARGET | BIND_SAMPLER_VIEW, W, H, 1, 1, 0, 0, 0);
        int rc = device.create(r);
        if (rc != org.vgpu.gpu.context.RenderingContext.OK) {
            throw new IllegalStateException("virglrenderer refused the 1280x800 resource: response 0x" + Integer.toHexString(rc));
        }
        ByteBuffer dst = ByteBuffer.allocateDirect(W * H * 4);
        ByteBuffer src = ByteBuffer.allocateDirect(W * H * 4);
        for (int i = 0; i < 30; i++) { // warm-up: JIT, first-touch of the pages, GL's own buffers
            device.readPixels(r, dst);
            dst.put(0, src, 0, src.capacity());
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < FRAMES; i++) {
            if (!device.readPixels(r, dst)) {
                throw new IllegalStateException("readback failed");
            }
        }
        long readback = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int i = 0; i < FRAMES; i++) {
            dst.put(0, src, 0, src.capacity());
        }
        long copy = System.nanoTime() - t0;
        double bytes = (double) W * H * 4;
        System.out.printf("readback of a 1280x800 frame from virglrenderer: %.3f ms/frame (%.2f GB/s), %d frames%n",
                readback / 1e6 / FRAMES, bytes * FRAMES / readback, FRAMES);
        System.out.printf("peer, a bare copy of the same %d bytes:          %.3f ms/frame (%.2f GB/s)%n", (long) bytes,
                copy / 1e6 / FRAMES, bytes * FRAMES / copy);
        device.close();
        virgl.stop();
    }
}
