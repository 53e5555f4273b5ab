package org.vgpu.renderer.virgl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vgpu.gpu.ControlQueueDriver;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * Through the device's real command path: a GpuDevice serving its control queue from a split
 * ring in guest memory with a queue worker, virglrenderer behind it. Fenced SUBMIT_3D and
 * TRANSFER_FROM_HOST_3D complete once virglrenderer signals their per-context fences (its
 * write_context_fence callback from the render thread), and the cleared pixels are in guest memory.
 */
@Timeout(60)
class VirglQueueTest {
    static final long BACKING = 0x400000;
    static final int W = 32, H = 16, CTX = 3, RES = 11;
    static final int FENCED = FLAG_FENCE | FLAG_INFO_RING_IDX;

    @Test
    void fencedRenderingCompletesThroughTheControlQueue() throws Exception {
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        GpuDevice device = new GpuDevice(GpuSettings.defaults("virgl-queue"), selector, TestVirgl.types());
        try (GuestMemoryMap memory = new GuestMemoryMap()) {
            memory.addRegion(MemoryRegion.anonymous(0x100000, 16 << 20));
            device.ackFeatures(device.offeredFeatures());
            try (ControlQueueDriver d = new ControlQueueDriver(device, memory)) {
                long signalledBefore = TestVirgl.get().fencesSignalled();
                ByteBuffer ctx = ControlQueueDriver.request(CMD_CTX_CREATE, 0, 0, CTX, 0, 8 + 64);
                ctx.putInt(24, 5).putInt(28, CAPSET_VIRGL2).put(32, "queue".getBytes());
                d.queue(ctx);
                ByteBuffer res = ControlQueueDriver.request(CMD_RESOURCE_CREATE_3D, 0, 0, CTX, 0, 48);
                res.putInt(24, RES).putInt(28, 2).putInt(32, FORMAT_B8G8R8A8).putInt(36, 1 << 1).putInt(40, W).putInt(44, H).putInt(48, 1)
                        .putInt(52, 1);
                d.queue(res);
                ByteBuffer attach = ControlQueueDriver.request(CMD_RESOURCE_ATTACH_BACKING, 0, 0, 0, 0, 8 + 16);
                attach.putInt(24, RES).putInt(28, 1).putLong(32, BACKING).putInt(40, W * H * 4);
                d.queue(attach);
                ByteBuffer ctxAttach = ControlQueueDriver.request(CMD_CTX_ATTACH_RESOURCE, 0, 0, CTX, 0, 8);
                ctxAttach.putInt(24, RES);
                d.queue(ctxAttach);
                byte[] stream = new VirglStream().surface(1, RES, FORMAT_B8G8R8A8).framebuffer(1).clear(0f, 1f, 1f, 1f).bytes();
                ByteBuffer submit = ControlQueueDriver.request(CMD_SUBMIT_3D, FENCED, 41, CTX, 0, 8 + stream.length);
                submit.putInt(24, stream.length).put(32, stream);
                int submitted = d.queue(submit);
                ByteBuffer read = ControlQueueDriver.request(CMD_TRANSFER_FROM_HOST_3D, FENCED, 42, CTX, 0, 48);
                read.putInt(36, W).putInt(40, H).putInt(44, 1).putInt(56, RES);
                int readBack = d.queue(read);
                d.kick();
                d.awaitUsed(6);
                for (int slot = 0; slot < 6; slot++) {
                    assertEquals(RESP_OK_NODATA, d.response(slot), "command " + slot);
                }
                assertEquals(41, d.responseFence(submitted));
                assertEquals(42, d.responseFence(readBack));
                assertTrue(TestVirgl.get().fencesSignalled() >= signalledBefore + 2, "virglrenderer signalled both fences");
                for (int i = 0; i < W * H; i++) {
                    assertEquals(0xFF00FFFF, memory.readInt(BACKING + 4L * i), "cyan B8G8R8A8 at texel " + i);
                }
            }
        } finally {
            device.reset();
        }
    }
}
