package org.vgpu.backend.hostmem;

import org.vgpu.gpu.crossdomain.CrossDomainContextType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.PixelFormat;

/**
 * The cross-domain context end to end in the device, with the real hostmem backend: a guest asks
 * for image requirements, creates the HOST3D blob they promise, maps it into the host-visible
 * window and draws into it; the scanout shows its pixels and nothing is copied. And every
 * guest-supplied number that could break it.
 */
class CrossDomainBlobTest {
    static final int CTX = 7, RING = 10, BLOB = 11, W = 64, H = 32;
    static final int XR24 = PixelFormat.B8G8R8X8.drmFourcc();
    static final long WINDOW = 1L << 30;

    final GpuHarness h = new GpuHarness(new GpuSettings("xd", 1, 640, 480, 64 << 20).withCrossDomain(true).withWaylandSocket("/nonexistent/wayland-0"), 16 << 20);
    final FakeHostVisibleWindow window = new FakeHostVisibleWindow(WINDOW);
    long[] ringPages;

    CrossDomainBlobTest() {
        h.selector.add(new HostmemBackend(), 50);
        h.state.setBlobEnabled(true);
        h.state.setHostVisible(window);
    }

    /** A command in context ctx with le32 fields. */
    int ctxCmd(int ctx, int type, int... fields) {
        h.header(type, 0, 0, ctx, 0);
        for (int i = 0; i < fields.length; i++) {
            h.req.putInt(HDR_SIZE + 4 * i, fields[i]);
        }
        return h.send(HDR_SIZE + 4 * fields.length);
    }

    int createContext(int ctx, int contextInit) {
        h.header(CMD_CTX_CREATE, 0, 0, ctx, 0);
        byte[] name = "test".getBytes();
        h.req.putInt(24, name.length).putInt(28, contextInit).put(32, name);
        return h.send(REQ_CTX_CREATE);
    }

    /** SUBMIT_3D carrying the given cross-domain command bytes. */
    int submit(int ctx, ByteBuffer commands, int declaredSize) {
        h.header(CMD_SUBMIT_3D, 0, 0, ctx, 0);
        h.req.putInt(24, declaredSize).putInt(28, 0);
        h.req.put(REQ_SUBMIT_3D, commands, 0, commands.limit());
        return h.send(REQ_SUBMIT_3D + commands.limit());
    }

    static ByteBuffer init(int ringId) {
        ByteBuffer b = ByteBuffer.allocate(CROSS_DOMAIN_INIT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) CROSS_DOMAIN_CMD_INIT).putShort(2, (short) CROSS_DOMAIN_INIT_SIZE).putInt(8, ringId);
        return b;
    }

    static ByteBuffer imageRequirements(int w, int hgt, int fourcc) {
        ByteBuffer b = ByteBuffer.allocate(CROSS_DOMAIN_GET_IMAGE_REQUIREMENTS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS).putShort(2, (short) CROSS_DOMAIN_GET_IMAGE_REQUIREMENTS_SIZE)
                .putInt(8, w).putInt(12, hgt).putInt(16, fourcc);
        return b;
    }

    static ByteBuffer concat(ByteBuffer a, ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(a.limit() + b.limit());
        c.put(0, a, 0, a.limit()).put(a.limit(), b, 0, b.limit());
        return c;
    }

    int createBlob(int ctx, int id, int blobMem, int flags, long blobId, long size, long[] pages) {
        h.header(CMD_RESOURCE_CREATE_BLOB, 0, 0, ctx, 0);
        h.req.putInt(24, id).putInt(28, blobMem).putInt(32, flags).putInt(36, pages.length).putLong(40, blobId).putLong(48, size);
        for (int i = 0; i < pages.length; i++) {
            h.req.putLong(REQ_RESOURCE_CREATE_BLOB + i * 16, pages[i]).putInt(REQ_RESOURCE_CREATE_BLOB + i * 16 + 8, GpuHarness.PAGE);
        }
        return h.send(REQ_RESOURCE_CREATE_BLOB + pages.length * 16);
    }

    int mapBlob(int id, long offset) {
        h.header(CMD_RESOURCE_MAP_BLOB);
        h.req.putInt(24, id).putInt(28, 0).putLong(32, offset);
        return h.send(REQ_MAP_BLOB);
    }

    /** Context, query ring (a MAPPABLE guest blob attached to it) and INIT. */
    void initContext() {
        assertEquals(RESP_OK_NODATA, createContext(CTX, CAPSET_CROSS_DOMAIN));
        ringPages = h.pages(GpuHarness.PAGE);
        assertEquals(RESP_OK_NODATA, createBlob(CTX, RING, BLOB_MEM_GUEST, BLOB_FLAG_USE_MAPPABLE, 0, GpuHarness.PAGE, ringPages));
        assertEquals(RESP_OK_NODATA, ctxCmd(CTX, CMD_CTX_ATTACH_RESOURCE, RING, 0));
        ByteBuffer cmd = init(RING);
        assertEquals(RESP_OK_NODATA, submit(CTX, cmd, cmd.limit()));
    }

    int ringInt(int offset) {
        int v = 0;
        for (int i = 3; i >= 0; i--) {
            v = v << 8 | h.getBacking(ringPages, offset + i) & 0xff;
        }
        return v;
    }

    /** GET_IMAGE_REQUIREMENTS; returns the blob_id the device wrote into the query ring. */
    long requirements(int w, int hgt) {
        ByteBuffer cmd = imageRequirements(w, hgt, XR24);
        assertEquals(RESP_OK_NODATA, submit(CTX, cmd, cmd.limit()));
        return ringInt(48) & 0xffffffffL;
    }

    @Test
    void capsetAndFeaturesOfferTheCrossDomainContext() {
        assertEquals(RESP_OK_CAPSET_INFO, h.cmd(CMD_GET_CAPSET_INFO, 0, 0));
        assertEquals(CAPSET_CROSS_DOMAIN, h.resp.getInt(24));
        assertEquals(CROSS_DOMAIN_CAPABILITIES_SIZE, h.resp.getInt(32));
        assertEquals(RESP_CAPSET_INFO_SIZE, h.respLength);
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_GET_CAPSET_INFO, 1, 0));
        assertEquals(RESP_OK_CAPSET, h.cmd(CMD_GET_CAPSET, CAPSET_CROSS_DOMAIN, 0));
        assertEquals(CROSS_DOMAIN_VERSION, h.resp.getInt(24));
        assertEquals(0, h.resp.getInt(28), "no channels");
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_GET_CAPSET, 1, 0), "no virgl capset");
        GpuDevice device = new GpuDevice(new GpuSettings("d", 1, 640, 480, 1 << 20).withCrossDomain(true), h.selector, new CrossDomainContextType());
        assertEquals(0x11L, device.offeredFeatures() & 0x11, "VIRGL (bit 0) + CONTEXT_INIT (bit 4)");
        GpuDevice plain = new GpuDevice(new GpuSettings("p", 1, 640, 480, 1 << 20), h.selector);
        assertEquals(0L, plain.offeredFeatures() & 0x11);
        ByteBuffer cfg = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        device.readConfig(CONFIG_NUM_CAPSETS, cfg);
        assertEquals(1, cfg.getInt(0));
    }

    @Test
    void aGuestDrawsIntoAMappedHostBlobAndNothingIsCopied() {
        initContext();
        long blobId = requirements(W, H);
        assertEquals(W * 4, ringInt(0), "stride");
        long size = (ringInt(40) & 0xffffffffL) | (long) ringInt(44) << 32;
        assertEquals(W * H * 4, size);
        assertEquals(MAP_CACHE_CACHED, ringInt(52));
        assertEquals(RESP_OK_NODATA, createBlob(CTX, BLOB, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE | BLOB_FLAG_USE_SHAREABLE, blobId, size, new long[0]));
        assertTrue(h.state.resource(BLOB).backend().equals(HostmemBackend.NAME), h.state.resource(BLOB).backendReason());
        assertEquals(RESP_OK_MAP_INFO, mapBlob(BLOB, 0x10000));
        assertEquals(MAP_CACHE_CACHED, h.resp.getInt(24));
        assertEquals(0x10000, h.state.resource(BLOB).mappedAt(), "vgpu:resource shows the guest mapping");
        assertEquals("cross-domain 'test': 2 resources, query ring 10, 0 pending images", h.state.contexts().get(CTX), "vgpu:contexts");
        assertEquals(RESP_MAP_INFO_SIZE, h.respLength);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                window.guestWrite(0x10000, (y * W + x) * 4L, x << 16 | y << 8 | 0x42);
            }
        }
        assertEquals(RESP_OK_NODATA, h.cmd(CMD_SET_SCANOUT_BLOB, 0, 0, W, H, 0, BLOB, W, H, FORMAT_B8G8R8X8, 0, W * 4, 0, 0, 0, 0, 0, 0, 0));
        assertEquals(RESP_OK_NODATA, h.flush(BLOB, 0, 0, W, H));
        ByteBuffer px = h.hostPixels(BLOB).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                assertEquals(x << 16 | y << 8 | 0x42, px.getInt((y * W + x) * 4), "pixel " + x + "," + y);
            }
        }
        assertEquals(0, h.state.statsSnapshot().bytesCopied(), "the guest's writes are the pixels");

        assertEquals(RESP_ERR_INVALID_PARAMETER, mapBlob(BLOB, 0x40000), "mapped twice");
        h.header(CMD_RESOURCE_UNMAP_BLOB);
        h.req.putInt(24, BLOB);
        assertEquals(RESP_OK_NODATA, h.send(REQ_UNMAP_BLOB));
        assertTrue(window.maps.isEmpty());
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.send(REQ_UNMAP_BLOB), "not mapped any more");
        assertEquals(RESP_OK_MAP_INFO, mapBlob(BLOB, 0x20000));
        assertEquals(RESP_OK_NODATA, h.unref(BLOB));
        assertTrue(window.maps.isEmpty(), "UNREF unmaps before the memory goes");
    }

    @Test
    void mapBlobChecksEveryOffset() {
        initContext();
        long a = requirements(W, H);
        assertEquals(RESP_OK_NODATA, createBlob(CTX, BLOB, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE, a, W * H * 4, new long[0]));
        long b = requirements(W, H);
        assertEquals(RESP_OK_NODATA, createBlob(CTX, BLOB + 1, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE, b, W * H * 4, new long[0]));
        long c = requirements(W, H);
        assertEquals(RESP_OK_NODATA, createBlob(CTX, BLOB + 2, BLOB_MEM_HOST3D, BLOB_FLAG_USE_SHAREABLE, c, W * H * 4, new long[0]));
        assertEquals(RESP_ERR_INVALID_PARAMETER, mapBlob(BLOB, 0x10001), "unaligned");
        assertEquals(RESP_ERR_INVALID_PARAMETER, mapBlob(BLOB, WINDOW - 4096), "runs past the window");
        assertEquals(RESP_ERR_INVALID_PARAMETER, mapBlob(BLOB, WINDOW), "at the end");
        assertEquals(RESP_ERR_INVALID_PARAMETER, mapBlob(BLOB, -4096L), "negative / huge");
        assertEquals(RESP_ERR_INVALID_PARAMETER, mapBlob(BLOB + 2, 0), "not MAPPABLE");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, mapBlob(RING, 0), "a guest blob is mapped by the guest itself");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, mapBlob(99, 0));
        assertEquals(RESP_OK_MAP_INFO, mapBlob(BLOB, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, mapBlob(BLOB + 1, 4096), "overlaps the first");
        assertEquals(RESP_OK_MAP_INFO, mapBlob(BLOB + 1, W * H * 4));
        assertEquals(2, window.maps.size());
        BackendException moved = assertThrows(BackendException.class,
                () -> h.state.migrate(BLOB, new org.vgpu.gpu.backend.copy.CopyBackend(), "test"));
        assertTrue(moved.getMessage().contains("no host memory"), moved.getMessage());
        BackendException mapped = assertThrows(BackendException.class, () -> h.state.migrate(BLOB, new HostmemBackend(), "test"));
        assertTrue(mapped.getMessage().contains("mapped into the guest"), mapped.getMessage());
        h.state.reset();
        assertTrue(window.maps.isEmpty(), "a device reset drops every map");
    }

    @Test
    void contextsRefuseWhatTheyCannotServe() {
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, createContext(0, CAPSET_CROSS_DOMAIN));
        assertEquals(RESP_ERR_INVALID_PARAMETER, createContext(CTX, 1), "virgl contexts need a renderer");
        assertEquals(RESP_OK_NODATA, createContext(50, 0), "Linux's default context per DRM file (VIRGL on)");
        ByteBuffer any = imageRequirements(W, H, XR24);
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(50, any, any.limit()), "a default context runs nothing");
        assertEquals(RESP_OK_NODATA, ctxCmd(50, CMD_CTX_DESTROY));
        h.header(CMD_CTX_CREATE, 0, 0, CTX, 0);
        h.req.putInt(24, 65).putInt(28, CAPSET_CROSS_DOMAIN);
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.send(REQ_CTX_CREATE), "debug name longer than 64");
        assertEquals(RESP_ERR_UNSPEC, h.send(REQ_CTX_CREATE - 1), "short request");
        assertEquals(RESP_OK_NODATA, createContext(CTX, CAPSET_CROSS_DOMAIN));
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, createContext(CTX, CAPSET_CROSS_DOMAIN), "id in use");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, ctxCmd(CTX, CMD_CTX_ATTACH_RESOURCE, 1234, 0));
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, ctxCmd(8, CMD_CTX_ATTACH_RESOURCE, 1234, 0));
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, ctxCmd(8, CMD_CTX_DESTROY));
        ByteBuffer req = imageRequirements(W, H, XR24);
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(CTX, req, req.limit()), "no INIT yet");
        ByteBuffer unattached = init(RING);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, submit(CTX, unattached, unattached.limit()), "ring not the context's");
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, submit(9, req, req.limit()));
        for (int i = 0; i < GpuContextsLimits.MAX_CONTEXTS - 1; i++) {
            assertEquals(RESP_OK_NODATA, createContext(100 + i, CAPSET_CROSS_DOMAIN));
        }
        assertEquals(RESP_ERR_OUT_OF_MEMORY, createContext(1000, CAPSET_CROSS_DOMAIN), "bounded number of contexts");
        assertEquals(RESP_OK_NODATA, ctxCmd(100, CMD_CTX_DESTROY));
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, ctxCmd(100, CMD_CTX_DESTROY), "destroyed once");
    }

    @Test
    void submitBuffersAreParsedDefensively() {
        initContext();
        ByteBuffer zero = imageRequirements(W, H, XR24);
        zero.putShort(2, (short) 0);
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(CTX, zero, zero.limit()), "cmd_size 0 would loop");
        ByteBuffer longer = imageRequirements(W, H, XR24);
        longer.putShort(2, (short) 4000);
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(CTX, longer, longer.limit()), "cmd_size past the buffer");
        ByteBuffer ok = imageRequirements(W, H, XR24);
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(CTX, ok, ok.limit() + 100), "size past the request");
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(CTX, ok, 5), "a partial header");
        ByteBuffer send = imageRequirements(W, H, XR24);
        send.put(0, (byte) 4);
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(CTX, send, send.limit()), "channels are not offered");
        for (int[] bad : new int[][] {{0, H}, {W, 0}, {20000, H}, {W, 20000}}) {
            ByteBuffer b = imageRequirements(bad[0], bad[1], XR24);
            assertEquals(RESP_ERR_INVALID_PARAMETER, submit(CTX, b, b.limit()), bad[0] + "x" + bad[1]);
        }
        ByteBuffer nv12 = imageRequirements(W, H, 0x3231564e);
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(CTX, nv12, nv12.limit()), "NV12 is not a format we hold");
        ByteBuffer two = concat(imageRequirements(W, H, XR24), imageRequirements(2 * W, H, XR24));
        assertEquals(RESP_OK_NODATA, submit(CTX, two, two.limit()), "commands run in order");
        assertEquals(2 * W * 4, ringInt(0), "the ring holds the last answer");
    }

    @Test
    void hostBlobsAreCreatedOnlyAsPromised() {
        initContext();
        long id = requirements(W, H);
        long size = W * H * 4;
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(CTX, BLOB, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE, id + 1000, size, new long[0]), "unknown blob_id");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(CTX, BLOB, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE, id, size + 4096, new long[0]), "wrong size");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(CTX, BLOB, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE, id, size, h.pages(4096)), "host blob with guest pages");
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, createBlob(CTX + 1, BLOB, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE, id, size, new long[0]), "another context's promise");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(CTX, BLOB, BLOB_MEM_HOST3D_GUEST, BLOB_FLAG_USE_MAPPABLE, id, size, new long[0]));
        assertEquals(RESP_OK_NODATA, createBlob(CTX, BLOB, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE, id, size, new long[0]), "a failed attempt leaves the promise");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(CTX, BLOB + 1, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE, id, size, new long[0]), "redeemed once");
        assertEquals(RESP_ERR_UNSPEC, h.attach(BLOB, h.pages(4096), GpuHarness.pageLengths(1)), "no backing for a host blob");
        assertEquals(RESP_ERR_INVALID_PARAMETER,
                h.cmd(CMD_SET_SCANOUT_BLOB, 0, 0, W, H, 0, BLOB, W, H, FORMAT_B8G8R8X8, 0, W * 4 + 64, 0, 0, 0, 0, 0, 0, 0),
                "a scanout must read the blob at its own stride");
    }

    @Test
    void threeDimensionalCommandsServeTwoDimensionalResources() {
        // RESOURCE_CREATE_3D: resource_id, target, format, bind, width, height, depth, array_size, last_level, nr_samples, flags, padding
        assertEquals(RESP_OK_NODATA, h.cmd(CMD_RESOURCE_CREATE_3D, 5, PIPE_TEXTURE_2D, FORMAT_B8G8R8X8, 2, W, H, 1, 1, 0, 0, 0, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_RESOURCE_CREATE_3D, 6, 0, FORMAT_B8G8R8X8, 2, W, H, 1, 1, 0, 0, 0, 0), "PIPE_BUFFER");
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_RESOURCE_CREATE_3D, 6, PIPE_TEXTURE_2D, FORMAT_B8G8R8X8, 2, W, H, 2, 1, 0, 0, 0, 0), "depth 2");
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_RESOURCE_CREATE_3D, 6, PIPE_TEXTURE_2D, FORMAT_B8G8R8X8, 2, W, H, 1, 1, 3, 0, 0, 0), "mipmaps");
        long[] pages = h.pages((long) W * H * 4);
        assertEquals(RESP_OK_NODATA, h.attach(5, pages, GpuHarness.pageLengths(pages.length)));
        h.putBacking(pages, (3L * W + 2) * 4, (byte) 0x77);
        // TRANSFER_TO_HOST_3D: box{x, y, z, w, h, d}, le64 offset, resource_id, level, stride, layer_stride
        assertEquals(RESP_OK_NODATA, h.cmd(CMD_TRANSFER_TO_HOST_3D, 0, 0, 0, W, H, 1, 0, 0, 5, 0, W * 4, 0));
        assertEquals(0x77, h.hostPixels(5).get((3 * W + 2) * 4));
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_TRANSFER_TO_HOST_3D, 0, 0, 1, W, H, 1, 0, 0, 5, 0, W * 4, 0), "z = 1");
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_TRANSFER_TO_HOST_3D, 0, 0, 0, W, H, 1, 0, 0, 5, 1, W * 4, 0), "level 1");
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_TRANSFER_TO_HOST_3D, 0, 0, 0, W, H, 1, 0, 0, 5, 0, W * 4 + 4, 0), "another stride");
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_TRANSFER_TO_HOST_3D, 0, 0, 0, W + 1, H, 1, 0, 0, 5, 0, 0, 0), "outside");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, h.cmd(CMD_TRANSFER_TO_HOST_3D, 0, 0, 0, W, H, 1, 0, 0, 99, 0, 0, 0));
    }

    @Test
    void aTwoDimensionalDeviceKnowsNoContexts() {
        GpuHarness plain = new GpuHarness();
        plain.state.setBlobEnabled(true);
        assertEquals(RESP_ERR_INVALID_PARAMETER, plain.cmd(CMD_GET_CAPSET_INFO, 0, 0));
        plain.header(CMD_CTX_CREATE, 0, 0, CTX, 0);
        plain.req.putInt(28, CAPSET_CROSS_DOMAIN);
        assertEquals(RESP_ERR_UNSPEC, plain.send(REQ_CTX_CREATE));
        assertEquals(RESP_ERR_UNSPEC, plain.cmd(CMD_RESOURCE_CREATE_3D, 5, PIPE_TEXTURE_2D, FORMAT_B8G8R8X8, 2, W, H, 1, 1, 0, 0, 0, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, plain.cmd(CMD_RESOURCE_CREATE_BLOB, 3, BLOB_MEM_HOST3D, BLOB_FLAG_USE_MAPPABLE, 0, 1, 0, 4096, 0));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, plain.cmd(CMD_RESOURCE_MAP_BLOB, 3, 0, 0, 0));
    }
}
