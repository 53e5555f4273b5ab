package org.vgpu.renderer.virgl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vgpu.gpu.protocol.Protocol.*;
import static org.vgpu.renderer.virgl.VirglRenderingTest.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vgpu.gpu.GpuHarness;

/**
 * Hostile guests against the real renderer: every size, id, box, stride, offset and stream
 * length is checked before virglrenderer sees it and answered with the spec's error; nothing
 * crashes, and the device (and other contexts) go on rendering afterwards.
 */
@Timeout(60)
class VirglHostileTest {
    final VirglRenderingTest t = new VirglRenderingTest();
    GpuHarness h;

    @BeforeEach
    void start() throws Exception {
        t.start();
        h = t.h;
        t.renderTarget(); // ctx 1, resource 7: 64 x 32 B8G8R8A8 with exactly 8 KiB of guest pages
    }

    @AfterEach
    void stop() {
        t.stop();
    }

    int create(int id, int target, int format, int w, int hgt, int depth, int array, int lastLevel, int samples) {
        return t.create3d(id, target, format, BIND_RENDER_TARGET, w, hgt, depth, array, lastLevel, samples);
    }

    int read(int ctx, int id, int x, int y, int z, int w, int hgt, int d, long offset, int level, int stride, int layerStride) {
        return t.transfer3d(CMD_TRANSFER_FROM_HOST_3D, ctx, id, x, y, z, w, hgt, d, offset, level, stride, layerStride);
    }

    /** The device still renders: a clear read back exactly. */
    void stillRenders() throws Exception {
        assertEquals(RESP_OK_NODATA, t.createContext(40, CAPSET_VIRGL2));
        assertEquals(RESP_OK_NODATA, t.attachContext(40, RES));
        assertEquals(RESP_OK_NODATA, t.submit(40, new VirglStream().surface(1, RES, FORMAT_B8G8R8A8).framebuffer(1).clear(1, 1, 0, 1).bytes()));
        assertEquals(RESP_OK_NODATA, read(40, RES, 0, 0, 0, W, H, 1, 0, 0, 0, 0));
        assertEquals(0xFFFFFF00, t.guestPixel(W - 1, H - 1));
    }

    @Test
    void badResourceCreations() throws Exception {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, create(0, 2, FORMAT_B8G8R8A8, 4, 4, 1, 1, 0, 0), "id 0");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, create(RES, 2, FORMAT_B8G8R8A8, 4, 4, 1, 1, 0, 0), "id taken");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 2, FORMAT_B8G8R8A8, 0, 4, 1, 1, 0, 0), "width 0");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 2, FORMAT_B8G8R8A8, 4, 0, 1, 1, 0, 0), "height 0");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 2, FORMAT_B8G8R8A8, 16385, 4, 1, 1, 0, 0), "wider than GL's limit");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 2, FORMAT_B8G8R8A8, -1, -1, 1, 1, 0, 0), "u32 max sizes");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 9, FORMAT_B8G8R8A8, 4, 4, 1, 1, 0, 0), "no such target");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 2, FORMAT_B8G8R8A8, 4, 4, 2, 1, 0, 0), "a 2D texture of depth 2");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 2, FORMAT_B8G8R8A8, 64, 32, 1, 1, 7, 0), "level 7 of 64 x 32 does not exist");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 2, FORMAT_B8G8R8A8, 64, 64, 1, 1, 1, 4), "multisampled with mipmaps");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 2, FORMAT_B8G8R8A8, 64, 64, 1, 1, 0, 64), "64 samples");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 4, FORMAT_B8G8R8A8, 64, 64, 1, 5, 0, 0), "a cube of 5 faces");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 0, 64, 16, 2, 1, 1, 0, 0), "a buffer 2 rows high");
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(20, 2, 5000, 4, 4, 1, 1, 0, 0), "a format virglrenderer does not know");
        long used = h.state.usedBytes();
        assertEquals(RESP_ERR_OUT_OF_MEMORY, create(20, 2, FORMAT_B8G8R8A8, 16384, 16384, 1, 1, 0, 0), "1 GiB over the 256 MiB quota");
        assertEquals(RESP_ERR_OUT_OF_MEMORY, create(20, 7, 31, 4096, 4096, 1, 2048, 0, 0), "a 2048-layer RGBA32F array");
        assertEquals(used, h.state.usedBytes(), "nothing charged for refused resources");
        assertEquals(RESP_OK_NODATA, create(21, 2, FORMAT_B8G8R8A8, 256, 256, 1, 1, 8, 0), "a full mip chain");
        long levels = 0;
        for (int side = 256; side >= 1; side /= 2) {
            levels += (long) side * side * 4;
        }
        assertEquals(used + levels + 256, h.state.usedBytes(), "charged every level (and the device's per-resource overhead)");
        assertEquals(RESP_OK_NODATA, h.unref(21));
        assertEquals(used, h.state.usedBytes(), "refunded on unref");
        stillRenders();
    }

    @Test
    void badTransfers() throws Exception {
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 0, 0, W, H, 1, 0, 1, 0, 0), "level 1 of a one-level texture");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 60, 0, 0, 5, 1, 1, 0, 0, 0, 0), "box past the right edge");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 30, 0, 1, 3, 1, 0, 0, 0, 0), "box past the bottom");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, -1, 0, 0, 2, 1, 1, 0, 0, 0, 0), "x + w wraps in u32");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0), "empty box");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0), "z 1 of a 2D texture");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0), "depth 2 of a 2D texture");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 0, 0, W, 2, 1, 0, 0, 4, 0), "stride shorter than a row");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 0, 0, 1, 2, 1, 0, 0, -1, 0), "a 4 GiB stride runs past the backing");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 0, 0, W, H, 1, 4, 0, 0, 0), "the last row would end 4 bytes past the backing");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 0, 0, 1, 1, 1, W * H * 4 + 4, 0, 0, 0), "offset past the backing");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, RES, 0, 0, 0, 1, 1, 1, Long.MIN_VALUE, 0, 0, 0), "offset over 2^63");
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, read(99, RES, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0), "no such context");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, read(CTX, 1234, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0), "no such resource");
        assertEquals(RESP_OK_NODATA, create(22, 7, FORMAT_B8G8R8A8, 8, 8, 1, 4, 0, 0));
        assertEquals(RESP_ERR_UNSPEC, read(CTX, 22, 0, 0, 0, 8, 8, 1, 0, 0, 0, 0), "no backing to read into");
        long[] pages = h.pages(4 * 8 * 8 * 4);
        assertEquals(RESP_OK_NODATA, h.attach(22, pages, GpuHarness.pageLengths(pages.length)));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, read(CTX, 22, 0, 0, 0, 8, 8, 1, 0, 0, 0, 0), "not attached to the context");
        assertEquals(RESP_OK_NODATA, t.attachContext(CTX, 22));
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, 22, 0, 0, 0, 8, 8, 2, 0, 0, 32, 32), "layers overlapping: layer stride < image");
        assertEquals(RESP_ERR_INVALID_PARAMETER, read(CTX, 22, 0, 0, 3, 8, 8, 2, 0, 0, 0, 0), "layers 3..4 of 4");
        assertEquals(RESP_OK_NODATA, read(CTX, 22, 0, 0, 3, 8, 8, 1, 0, 0, 0, 0), "the last layer");
        assertEquals(RESP_OK_NODATA, read(CTX, 22, 0, 0, 0, 8, 8, 4, 0, 0, 0, 0), "all four layers fit exactly");
        assertEquals(RESP_OK_NODATA, create(23, 2, FORMAT_B8G8R8A8, 8, 8, 1, 1, 0, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.attach(23, new long[] {0x10}, new int[] {4096}), "backing outside guest memory");
        assertEquals(RESP_ERR_UNSPEC, read(0, 23, 0, 0, 0, 8, 8, 1, 0, 0, 0, 0), "so it has none");
        stillRenders();
    }

    @Test
    void badSubmissions() throws Exception {
        h.header(CMD_SUBMIT_3D, 0, 0, CTX, 0);
        h.req.putInt(24, 6).putInt(28, 0);
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.send(32 + 6), "6 bytes: not whole dwords");
        h.header(CMD_SUBMIT_3D, 0, 0, CTX, 0);
        h.req.putInt(24, 64).putInt(28, 0);
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.send(32 + 8), "64 bytes announced, 8 sent");
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, t.submit(0, new VirglStream().clear(1, 1, 1, 1).bytes()), "context 0 runs nothing");
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, t.submit(77, new VirglStream().clear(1, 1, 1, 1).bytes()), "no such context");
        assertEquals(RESP_ERR_INVALID_PARAMETER, t.submit(CTX, new VirglStream().raw(1 | 8 << 8 | 1000 << 16).raw(1).bytes()),
                "a command claiming 1000 dwords in a 2-dword stream");
        assertEquals(RESP_ERR_INVALID_PARAMETER, t.createContext(30, 3), "capset 3 is not offered");
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, t.createContext(CTX, CAPSET_VIRGL2), "context id taken");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, t.attachContext(CTX, 4321), "attach of no resource");
        stillRenders(); // virglrenderer marks the broken context in error; a new one renders
    }

    @Test
    void aBackingThatLeftGuestMemoryIsNotTouched() throws Exception {
        assertEquals(RESP_OK_NODATA, read(CTX, RES, 0, 0, 0, W, H, 1, 0, 0, 0, 0));
        t.memory.removeRegion(GpuHarness.RAM_BASE); // a memory hot-unplug under an attached backing
        assertEquals(RESP_ERR_UNSPEC, read(CTX, RES, 0, 0, 0, W, H, 1, 0, 0, 0, 0), "its pages are no guest memory now");
    }
}
