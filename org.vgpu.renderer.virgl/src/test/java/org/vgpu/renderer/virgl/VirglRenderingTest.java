package org.vgpu.renderer.virgl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vgpu.gpu.Frame;
import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * Real rendering: virglrenderer on llvmpipe in this JVM behind a GPU device's command decoder,
 * guest memory a real mapped region. A virgl command stream clears a 3D resource bound as a
 * framebuffer; TRANSFER_FROM_HOST_3D brings the exact pixels into its guest pages, and a scanout
 * of it shows them (readback).
 */
@Timeout(60)
class VirglRenderingTest {
    static final int CTX = 1, RES = 7, W = 64, H = 32;
    static final int BIND_RENDER_TARGET = 1 << 1, BIND_SAMPLER_VIEW = 1 << 3;
    final GuestMemoryMap memory = new GuestMemoryMap();
    GpuHarness h;
    long[] pages;

    @BeforeEach
    void start() throws Exception {
        h = new GpuHarness(GpuSettings.defaults("virgl-test"), 32 << 20, TestVirgl.types());
        memory.addRegion(MemoryRegion.anonymous(GpuHarness.RAM_BASE, 32 << 20));
        h.state.setMemory(memory);
    }

    @AfterEach
    void stop() {
        h.state.reset(); // frees the device's virgl contexts and resources: the next test's device may claim the renderer
        memory.close();
    }

    int createContext(int ctx, int capset) {
        h.header(CMD_CTX_CREATE, 0, 0, ctx, 0);
        h.req.putInt(24, 4).putInt(28, capset).put(32, (byte) 't').put(33, (byte) 'e').put(34, (byte) 's').put(35, (byte) 't');
        return h.send(REQ_CTX_CREATE);
    }

    int create3d(int id, int target, int format, int bind, int w, int hgt, int depth, int array, int lastLevel, int samples) {
        h.header(CMD_RESOURCE_CREATE_3D, 0, 0, CTX, 0);
        h.req.putInt(24, id).putInt(28, target).putInt(32, format).putInt(36, bind).putInt(40, w).putInt(44, hgt).putInt(48, depth)
                .putInt(52, array).putInt(56, lastLevel).putInt(60, samples).putInt(64, 0).putInt(68, 0);
        return h.send(72);
    }

    int submit(int ctx, byte[] stream) {
        h.header(CMD_SUBMIT_3D, 0, 0, ctx, 0);
        h.req.putInt(24, stream.length).putInt(28, 0);
        h.req.put(32, stream);
        return h.send(32 + stream.length);
    }

    int transfer3d(int cmd, int ctx, int id, int x, int y, int z, int w, int hgt, int d, long offset, int level, int stride, int layerStride) {
        h.header(cmd, 0, 0, ctx, 0);
        h.req.putInt(24, x).putInt(28, y).putInt(32, z).putInt(36, w).putInt(40, hgt).putInt(44, d).putLong(48, offset).putInt(56, id)
                .putInt(60, level).putInt(64, stride).putInt(68, layerStride);
        return h.send(72);
    }

    int attachContext(int ctx, int id) {
        h.header(CMD_CTX_ATTACH_RESOURCE, 0, 0, ctx, 0);
        h.req.putInt(24, id).putInt(28, 0);
        return h.send(32);
    }

    /** A B8G8R8A8 render target of W x H with scattered guest pages, attached to the context. */
    void renderTarget() {
        assertEquals(RESP_OK_NODATA, createContext(CTX, CAPSET_VIRGL2));
        assertEquals(RESP_OK_NODATA, create3d(RES, 2, FORMAT_B8G8R8A8, BIND_RENDER_TARGET | BIND_SAMPLER_VIEW, W, H, 1, 1, 0, 0));
        pages = h.pages((long) W * H * 4);
        assertEquals(RESP_OK_NODATA, h.attach(RES, pages, GpuHarness.pageLengths(pages.length)));
        assertEquals(RESP_OK_NODATA, attachContext(CTX, RES));
    }

    int guestPixel(int x, int y) throws Exception {
        long offset = ((long) y * W + x) * 4;
        return memory.readInt(pages[(int) (offset / GpuHarness.PAGE)] + offset % GpuHarness.PAGE);
    }

    void setGuestPixel(int x, int y, int argb) throws Exception {
        long offset = ((long) y * W + x) * 4;
        memory.writeInt(pages[(int) (offset / GpuHarness.PAGE)] + offset % GpuHarness.PAGE, argb);
    }

    static int pixel(Frame f, int x, int y) {
        return f.argb()[y * f.width() + x];
    }

    @Test
    void theDeviceOffersBothVirglCapsetsWhole() {
        assertEquals(1L << F_VIRGL, h.state.features() & 1L << F_VIRGL, "VIRGL offered and acked");
        assertEquals(RESP_OK_CAPSET_INFO, h.cmd(CMD_GET_CAPSET_INFO, 0, 0));
        assertEquals(CAPSET_VIRGL, h.resp.getInt(24));
        assertEquals(1, h.resp.getInt(28));
        assertEquals(308, h.resp.getInt(32));
        assertEquals(RESP_OK_CAPSET_INFO, h.cmd(CMD_GET_CAPSET_INFO, 1, 0));
        assertEquals(CAPSET_VIRGL2, h.resp.getInt(24));
        assertEquals(2, h.resp.getInt(28));
        assertEquals(1376, h.resp.getInt(32));
        assertEquals(RESP_OK_CAPSET, h.cmd(CMD_GET_CAPSET, CAPSET_VIRGL2, 2));
        assertEquals(HDR_SIZE + 1376, h.respLength);
        assertEquals(2, h.resp.getInt(HDR_SIZE), "virgl_caps_v2 starts with max_version 2");
    }

    @Test
    void aClearRendersAndComesBackExactlyIntoGuestMemory() throws Exception {
        renderTarget();
        byte[] stream = new VirglStream().surface(1, RES, FORMAT_B8G8R8A8).framebuffer(1).clear(1f, 0f, 0f, 1f).bytes();
        assertEquals(RESP_OK_NODATA, submit(CTX, stream));
        assertEquals(RESP_OK_NODATA, transfer3d(CMD_TRANSFER_FROM_HOST_3D, CTX, RES, 0, 0, 0, W, H, 1, 0, 0, 0, 0));
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                assertEquals(0xFFFF0000, guestPixel(x, y), "B8G8R8A8 red at " + x + "," + y);
            }
        }
        // A second clear with another colour: the pixels are rendered, not left over.
        assertEquals(RESP_OK_NODATA, submit(CTX, new VirglStream().clear(0f, 0f, 1f, 1f).bytes()));
        assertEquals(RESP_OK_NODATA, transfer3d(CMD_TRANSFER_FROM_HOST_3D, CTX, RES, 8, 4, 0, 16, 8, 1, (4L * W + 8) * 4, 0, W * 4, 0));
        assertEquals(0xFF0000FF, guestPixel(8, 4), "blue inside the box read back");
        assertEquals(0xFF0000FF, guestPixel(23, 11));
        assertEquals(0xFFFF0000, guestPixel(7, 4), "outside the box the guest keeps the first read");
        assertEquals(0xFFFF0000, guestPixel(24, 11));
    }

    /**
     * Mesa moves texture data with TRANSFER3D inside its command streams, and virglrenderer then
     * reads and writes the pages it holds for the resource (attach_iov at ATTACH_BACKING): the
     * guest's pattern goes up by the stream and comes back by TRANSFER_FROM_HOST_3D. When the guest
     * memory under those pages goes (a VMM's REM_MEM_REG), the next stream's transfer is refused
     * instead of touching the unmapped range.
     */
    @Test
    void aStreamTransferUsesThePagesVirglHoldsAndNeverAStaleMapping() throws Exception {
        renderTarget();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                setGuestPixel(x, y, 0xFF000000 | y << 16 | x << 8 | (x ^ y));
            }
        }
        byte[] up = new VirglStream().transfer3d(RES, VirglStream.TRANSFER_TO_HOST, 0, 0, W, H, W * 4, 0).bytes();
        assertEquals(RESP_OK_NODATA, submit(CTX, up), "the stream's upload found the resource's pages");
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                setGuestPixel(x, y, 0);
            }
        }
        assertEquals(RESP_OK_NODATA, transfer3d(CMD_TRANSFER_FROM_HOST_3D, CTX, RES, 0, 0, 0, W, H, 1, 0, 0, 0, 0));
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                assertEquals(0xFF000000 | y << 16 | x << 8 | (x ^ y), guestPixel(x, y), "uploaded by the stream at " + x + "," + y);
            }
        }
        assertTrue(memory.removeRegion(GpuHarness.RAM_BASE));
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(CTX, up), "no pages any more: virglrenderer refuses, nothing is read");
    }

    @Test
    void aDestroyedContextLeavesNoFenceToWaitFor() {
        renderTarget();
        h.header(CMD_SUBMIT_3D, FLAG_FENCE, 9, CTX, 0);
        byte[] stream = new VirglStream().surface(1, RES, FORMAT_B8G8R8A8).framebuffer(1).clear(1, 0, 0, 1).bytes();
        h.req.putInt(24, stream.length).putInt(28, 0).put(32, stream);
        assertEquals(RESP_OK_NODATA, h.send(32 + stream.length));
        h.header(CMD_CTX_DESTROY, 0, 0, CTX, 0);
        assertEquals(RESP_OK_NODATA, h.send(HDR_SIZE));
        assertEquals(0, TestVirgl.get().pendingFences(), "signalled, or forgotten with the context: the render thread stops polling");
    }

    @Test
    void aScanoutOfA3dResourceShowsWhatWasRendered() {
        renderTarget();
        assertEquals(RESP_OK_NODATA, submit(CTX, new VirglStream().surface(1, RES, FORMAT_B8G8R8A8).framebuffer(1).clear(0f, 1f, 0f, 1f).bytes()));
        assertEquals(RESP_OK_NODATA, h.setScanout(0, RES, 0, 0, W, H));
        Frame f = h.state.capture(0, false);
        assertNotNull(f);
        assertEquals(0xFF00FF00, pixel(f, 0, 0));
        assertEquals(0xFF00FF00, pixel(f, W - 1, H - 1));
        assertEquals(RESP_OK_NODATA, submit(CTX, new VirglStream().clear(1f, 1f, 1f, 1f).bytes()));
        assertEquals(RESP_OK_NODATA, h.flush(RES, 0, 0, W, H));
        assertEquals(0xFFFFFFFF, pixel(h.state.capture(0, false), W / 2, H / 2), "RESOURCE_FLUSH reads the new frame back");
    }

    /** A page flip is SET_SCANOUT then RESOURCE_FLUSH of one frame: it is read back once, and again only after new rendering. */
    @Test
    void aFrameIsReadBackOncePerRenderingNotPerCommand() {
        renderTarget();
        VirglDevice device = TestVirgl.get().claim("virgl-test");
        assertEquals(RESP_OK_NODATA, submit(CTX, new VirglStream().surface(1, RES, FORMAT_B8G8R8A8).framebuffer(1).clear(0f, 1f, 0f, 1f).bytes()));
        long before = device.readbacks;
        assertEquals(RESP_OK_NODATA, h.setScanout(0, RES, 0, 0, W, H));
        assertEquals(RESP_OK_NODATA, h.flush(RES, 0, 0, W, H));
        assertEquals(RESP_OK_NODATA, h.flush(RES, 0, 0, W, H));
        assertEquals(before + 1, device.readbacks, "nothing rendered between them: one readback");
        assertEquals(RESP_OK_NODATA, submit(CTX, new VirglStream().clear(0f, 0f, 1f, 1f).bytes()));
        assertEquals(RESP_OK_NODATA, h.flush(RES, 0, 0, W, H));
        assertEquals(before + 2, device.readbacks);
        assertEquals(0xFF0000FF, pixel(h.state.capture(0, false), 3, 3), "the new frame");
    }
}
