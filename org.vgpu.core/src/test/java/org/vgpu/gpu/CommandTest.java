package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** One test group per command: success path and every error the spec names for it. */
class CommandTest {
    private final GpuHarness g = new GpuHarness();

    @Test
    void getDisplayInfo() {
        GpuHarness two = new GpuHarness(new GpuSettings("g", 2, 1024, 768, 1 << 20), 1 << 20);
        assertEquals(RESP_OK_DISPLAY_INFO, two.cmd(CMD_GET_DISPLAY_INFO));
        assertEquals(RESP_DISPLAY_INFO_SIZE, two.respLength);
        for (int i = 0; i < 16; i++) {
            int o = HDR_SIZE + i * DISPLAY_ONE_SIZE;
            assertEquals(0, two.resp.getInt(o));
            assertEquals(i < 2 ? 1024 : 0, two.resp.getInt(o + 8));
            assertEquals(i < 2 ? 768 : 0, two.resp.getInt(o + 12));
            assertEquals(i < 2 ? 1 : 0, two.resp.getInt(o + 16));
        }
    }

    @Test
    void create2dAllFormats() {
        int[] formats = {FORMAT_B8G8R8A8, FORMAT_B8G8R8X8, FORMAT_A8R8G8B8, FORMAT_X8R8G8B8,
            FORMAT_R8G8B8A8, FORMAT_X8B8G8R8, FORMAT_A8B8G8R8, FORMAT_R8G8B8X8};
        for (int i = 0; i < formats.length; i++) {
            assertEquals(RESP_OK_NODATA, g.create(10 + i, formats[i], 64, 32));
            assertEquals(formats[i], g.state.resource(10 + i).format());
        }
        assertEquals(RESP_NODATA_SIZE, g.respLength);
    }

    @Test
    void create2dErrors() {
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.create(0, FORMAT_B8G8R8X8, 4, 4));
        assertEquals(RESP_OK_NODATA, g.create(1, FORMAT_B8G8R8X8, 4, 4));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.create(1, FORMAT_B8G8R8X8, 4, 4), "duplicate");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.create(2, 5, 4, 4), "bad format");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.create(2, 0, 4, 4), "bad format");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.create(2, FORMAT_B8G8R8X8, 0, 4), "zero width");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.create(2, FORMAT_B8G8R8X8, 4, 0), "zero height");
        assertEquals(RESP_ERR_OUT_OF_MEMORY, g.create(2, FORMAT_B8G8R8X8, -1, -1), "u32 max squared");
        assertEquals(RESP_ERR_OUT_OF_MEMORY, g.create(2, FORMAT_B8G8R8X8, 65536, 65536));
        assertNull(g.state.resource(2));
    }

    @Test
    void unref() {
        g.createWithBacking(1, FORMAT_B8G8R8X8, 16, 16);
        assertEquals(RESP_OK_NODATA, g.setScanout(0, 1, 0, 0, 16, 16));
        assertEquals(RESP_OK_NODATA, g.unref(1));
        assertNull(g.state.resource(1));
        assertEquals(0, g.state.scanouts().get(0).resourceId(), "unref disables the scanout showing it");
        assertEquals(0, g.state.usedBytes());
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.unref(1));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.unref(0));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.unref(77));
    }

    @Test
    void setScanout() {
        g.create(1, FORMAT_B8G8R8X8, 100, 50);
        assertEquals(RESP_OK_NODATA, g.setScanout(0, 1, 10, 5, 90, 45));
        GpuState.ScanoutInfo s = g.state.scanouts().get(0);
        assertEquals(1, s.resourceId());
        assertEquals(10, s.x());
        assertEquals(45, s.height());
        assertEquals(java.util.List.of(0), g.state.resource(1).scanouts());
        assertEquals(RESP_OK_NODATA, g.setScanout(0, 0, 0, 0, 0, 0), "resource 0 disables");
        assertEquals(0, g.state.scanouts().get(0).resourceId());
        assertTrue(g.state.resource(1).scanouts().isEmpty());
    }

    @Test
    void setScanoutErrors() {
        g.create(1, FORMAT_B8G8R8X8, 100, 50);
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, g.setScanout(1, 1, 0, 0, 100, 50));
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, g.setScanout(-1, 1, 0, 0, 100, 50));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.setScanout(0, 2, 0, 0, 100, 50));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.setScanout(0, 1, 1, 0, 100, 50), "rect outside resource");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.setScanout(0, 1, 0, 1, 100, 50));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.setScanout(0, 1, -1, 0, 2, 50), "x + w overflows u32");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.setScanout(0, 1, 0, 0, 0, 0), "empty rect");
        assertEquals(0, g.state.scanouts().get(0).resourceId());
    }

    @Test
    void flush() {
        RecordingSink sink = new RecordingSink();
        g.state.addSink(sink);
        g.create(1, FORMAT_B8G8R8X8, 100, 50);
        g.setScanout(0, 1, 50, 0, 50, 50);
        assertEquals(RESP_OK_NODATA, g.flush(1, 40, 10, 20, 5));
        assertEquals("damaged gpu-test 0 0,10 10x5", sink.last, "clipped to the scanout, scanout coordinates");
        sink.last = null;
        assertEquals(RESP_OK_NODATA, g.flush(1, 0, 0, 10, 10));
        assertNull(sink.last, "not visible: no damage");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.flush(2, 0, 0, 1, 1));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.flush(1, 0, 0, 101, 1));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.flush(1, -1, 0, 2, 1), "x + w overflows u32");
    }

    @Test
    void transferErrors() {
        long[] pages = g.createWithBacking(1, FORMAT_B8G8R8X8, 32, 32);
        assertEquals(RESP_OK_NODATA, g.transfer(1, 0, 0, 32, 32, 0));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.transfer(2, 0, 0, 1, 1, 0));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.transfer(0, 0, 0, 1, 1, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(1, 1, 0, 32, 1, 0), "rect outside");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(1, 0, 0, 1, 33, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(1, -1, 0, 2, 1, 0), "x + w overflow");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(1, 0, -16, 1, 17, 0), "y + h overflow");
        // Backing is exactly 32*32*4 = 4096 bytes (one page).
        assertEquals(1, pages.length);
        assertEquals(RESP_OK_NODATA, g.transfer(1, 0, 31, 32, 1, 31 * 128));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(1, 0, 31, 32, 1, 31 * 128 + 4), "offset + row past backing");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(1, 0, 0, 1, 2, 4096 - 128), "offset + stride past backing");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(1, 0, 0, 1, 1, Long.MAX_VALUE), "huge offset");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(1, 0, 0, 1, 1, -4), "u64 offset");
        assertEquals(RESP_OK_NODATA, g.transfer(1, 0, 0, 0, 0, Long.MAX_VALUE), "empty rect is a no-op");
        g.create(2, FORMAT_B8G8R8X8, 8, 8);
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(2, 0, 0, 1, 1, 0), "no backing");
    }

    @Test
    void attachBacking() {
        g.create(1, FORMAT_B8G8R8X8, 64, 64); // 16 KiB
        long[] p = g.pages(16384);
        assertEquals(RESP_OK_NODATA, g.attach(1, p, GpuHarness.pageLengths(4)));
        assertEquals(4, g.state.resource(1).backingEntries());
        assertEquals(RESP_ERR_UNSPEC, g.attach(1, p, GpuHarness.pageLengths(4)), "already attached");
        assertEquals(RESP_OK_NODATA, g.cmd(CMD_RESOURCE_DETACH_BACKING, 1, 0));
        assertEquals(0, g.state.resource(1).backingEntries());
        // Uneven entry sizes are fine as long as they cover the resource.
        assertEquals(RESP_OK_NODATA, g.attach(1, new long[] {p[0], p[1] + 100}, new int[] {4096, 12288}));
    }

    @Test
    void attachBackingErrors() {
        g.create(1, FORMAT_B8G8R8X8, 64, 64);
        long[] p = g.pages(16384);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.attach(2, p, GpuHarness.pageLengths(4)));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.attach(1, new long[] {p[0], p[1], p[2]}, GpuHarness.pageLengths(3)), "too small");
        long end = GpuHarness.RAM_BASE + g.mem.ram.capacity();
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.attach(1, new long[] {p[0], p[1], p[2], end - 4095}, GpuHarness.pageLengths(4)), "past RAM");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.attach(1, new long[] {p[0], p[1], p[2], 0}, GpuHarness.pageLengths(4)), "below RAM");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.attach(1, new long[] {-4096, p[1], p[2], p[3]}, GpuHarness.pageLengths(4)), "wraps");
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.attach(1, new long[] {p[0]}, new int[] {-1}), "4 GiB entry");
        // More than 16384 entries: refused before anything else, even though the request cannot hold them.
        g.header(CMD_RESOURCE_ATTACH_BACKING).putInt(24, 1).putInt(28, MAX_BACKING_ENTRIES + 1);
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.send(REQ_ATTACH_BACKING));
        // Entries announced but missing from the request.
        g.header(CMD_RESOURCE_ATTACH_BACKING).putInt(24, 1).putInt(28, 4);
        assertEquals(RESP_ERR_UNSPEC, g.send(REQ_ATTACH_BACKING + 3 * MEM_ENTRY_SIZE));
        assertEquals(0, g.state.resource(1).backingEntries(), "nothing attached by a failed command");
    }

    @Test
    void attachMaxEntries() {
        GpuHarness big = new GpuHarness(GpuSettings.defaults("g"), 160 << 20);
        big.create(1, FORMAT_B8G8R8X8, 64, 1024); // 256 KiB
        long[] p = big.pages((long) MAX_BACKING_ENTRIES * 4096);
        int[] lens = new int[p.length];
        java.util.Arrays.fill(lens, 16); // 16384 x 16 bytes = 256 KiB
        assertEquals(RESP_OK_NODATA, big.attach(1, p, lens));
        assertEquals(MAX_BACKING_ENTRIES, big.state.resource(1).backingEntries());
    }

    @Test
    void detachBacking() {
        g.createWithBacking(1, FORMAT_B8G8R8X8, 16, 16);
        assertEquals(RESP_OK_NODATA, g.cmd(CMD_RESOURCE_DETACH_BACKING, 1, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.transfer(1, 0, 0, 1, 1, 0), "no backing after detach");
        assertEquals(RESP_OK_NODATA, g.cmd(CMD_RESOURCE_DETACH_BACKING, 1, 0), "idempotent");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.cmd(CMD_RESOURCE_DETACH_BACKING, 2, 0));
    }

    @Test
    void capsets() {
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.cmd(CMD_GET_CAPSET_INFO, 0, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, g.cmd(CMD_GET_CAPSET, 1, 0));
    }

    @Test
    void getEdid() {
        assertEquals(RESP_OK_EDID, g.cmd(CMD_GET_EDID, 0, 0));
        assertEquals(RESP_EDID_SIZE, g.respLength);
        assertEquals(128, g.resp.getInt(HDR_SIZE));
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, g.cmd(CMD_GET_EDID, 1, 0));
    }

    @Test
    void assignUuid() {
        g.create(1, FORMAT_B8G8R8X8, 4, 4);
        assertEquals(RESP_OK_RESOURCE_UUID, g.cmd(CMD_RESOURCE_ASSIGN_UUID, 1, 0));
        assertEquals(RESP_UUID_SIZE, g.respLength);
        ByteBuffer be = g.resp.duplicate().order(ByteOrder.BIG_ENDIAN);
        UUID u = new UUID(be.getLong(HDR_SIZE), be.getLong(HDR_SIZE + 8));
        assertEquals(4, u.version());
        assertEquals(2, u.variant());
        assertEquals(u, g.state.resource(1).uuid());
        g.cmd(CMD_RESOURCE_ASSIGN_UUID, 1, 0);
        assertEquals(u, new UUID(be.getLong(HDR_SIZE), be.getLong(HDR_SIZE + 8)), "stable");
        g.create(2, FORMAT_B8G8R8X8, 4, 4);
        g.cmd(CMD_RESOURCE_ASSIGN_UUID, 2, 0);
        assertNotEquals(u, new UUID(be.getLong(HDR_SIZE), be.getLong(HDR_SIZE + 8)));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.cmd(CMD_RESOURCE_ASSIGN_UUID, 3, 0));
    }

    @Test
    void unknownAndNotOfferedCommands() {
        for (int type : new int[] {0, 0xff, CMD_RESOURCE_CREATE_BLOB, CMD_SET_SCANOUT_BLOB, CMD_CTX_CREATE, 0x207,
            CMD_RESOURCE_UNMAP_BLOB, 0x302, RESP_OK_NODATA}) {
            assertEquals(RESP_ERR_UNSPEC, g.cmd(type, new int[16]), Integer.toHexString(type));
        }
    }

    @Test
    void requestTooShort() {
        int[][] cases = {
            {CMD_RESOURCE_CREATE_2D, REQ_RESOURCE_CREATE_2D}, {CMD_RESOURCE_UNREF, REQ_RESOURCE_UNREF},
            {CMD_SET_SCANOUT, REQ_SET_SCANOUT}, {CMD_RESOURCE_FLUSH, REQ_RESOURCE_FLUSH},
            {CMD_TRANSFER_TO_HOST_2D, REQ_TRANSFER_TO_HOST_2D}, {CMD_RESOURCE_ATTACH_BACKING, REQ_ATTACH_BACKING},
            {CMD_RESOURCE_DETACH_BACKING, REQ_DETACH_BACKING}, {CMD_GET_CAPSET_INFO, REQ_GET_CAPSET_INFO},
            {CMD_GET_CAPSET, REQ_GET_CAPSET}, {CMD_GET_EDID, REQ_GET_EDID}, {CMD_RESOURCE_ASSIGN_UUID, REQ_ASSIGN_UUID},
            {CMD_UPDATE_CURSOR, REQ_CURSOR}, {CMD_MOVE_CURSOR, REQ_CURSOR},
        };
        for (int[] c : cases) {
            g.header(c[0]).putInt(24, 1).putInt(28, 1);
            assertEquals(RESP_ERR_UNSPEC, g.send(c[1] - 1), commandName(c[0]));
        }
        g.header(CMD_GET_DISPLAY_INFO);
        assertEquals(RESP_ERR_UNSPEC, g.send(HDR_SIZE - 1), "no full header");
        assertEquals(RESP_ERR_UNSPEC, g.send(0));
        assertEquals(RESP_ERR_UNSPEC, g.send(-5));
        assertNull(g.state.resource(1));
    }

    @Test
    void responseTooShort() {
        g.header(CMD_GET_EDID);
        for (int cap : new int[] {0, 1, 23, 24, 100}) {
            ByteBuffer small = ByteBuffer.allocate(cap).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(cap, g.decoder.handle(g.req, REQ_GET_EDID, small), "writes what fits");
            if (cap >= 4) {
                assertEquals(RESP_OK_EDID, small.getInt(0));
            }
        }
    }

    @Test
    void fenceEcho() {
        g.header(CMD_GET_DISPLAY_INFO, FLAG_FENCE, 0x1122334455667788L, 7, 3);
        assertEquals(RESP_OK_DISPLAY_INFO, g.send(HDR_SIZE));
        assertEquals(FLAG_FENCE, g.resp.getInt(HDR_FLAGS));
        assertEquals(0x1122334455667788L, g.resp.getLong(HDR_FENCE_ID));
        assertEquals(7, g.resp.getInt(HDR_CTX_ID));
        assertEquals(0, g.resp.get(HDR_RING_IDX), "ring_idx only with INFO_RING_IDX");

        g.header(CMD_RESOURCE_UNREF, FLAG_FENCE | FLAG_INFO_RING_IDX, 42, 9, 5).putInt(24, 99);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, g.send(REQ_RESOURCE_UNREF), "errors echo fences too");
        assertEquals(FLAG_FENCE | FLAG_INFO_RING_IDX, g.resp.getInt(HDR_FLAGS));
        assertEquals(42, g.resp.getLong(HDR_FENCE_ID));
        assertEquals(9, g.resp.getInt(HDR_CTX_ID));
        assertEquals(5, g.resp.get(HDR_RING_IDX));
        assertEquals(0, g.resp.get(HDR_RING_IDX + 1) | g.resp.get(HDR_RING_IDX + 2) | g.resp.get(HDR_RING_IDX + 3));

        g.header(CMD_GET_DISPLAY_INFO, FLAG_INFO_RING_IDX, 42, 9, 5);
        g.send(HDR_SIZE);
        assertEquals(0, g.resp.getInt(HDR_FLAGS), "no fence, nothing echoed");
        assertEquals(0, g.resp.getLong(HDR_FENCE_ID));
        assertEquals(2, g.state.statsSnapshot().fences());
    }

    @Test
    void quotaExhaustionAndRecovery() {
        GpuHarness q = new GpuHarness(new GpuSettings("q", 1, 640, 480, 1 << 20), 4 << 20);
        assertEquals(RESP_OK_NODATA, q.create(1, FORMAT_B8G8R8X8, 256, 256));   // 256 KiB
        assertEquals(RESP_OK_NODATA, q.create(2, FORMAT_B8G8R8X8, 256, 512));   // 512 KiB
        assertEquals(RESP_ERR_OUT_OF_MEMORY, q.create(3, FORMAT_B8G8R8X8, 256, 256), "quota exceeded");
        assertNull(q.state.resource(3));
        assertEquals(RESP_OK_NODATA, q.unref(2));
        assertEquals(RESP_OK_NODATA, q.create(3, FORMAT_B8G8R8X8, 256, 256), "recovered after UNREF");
        assertTrue(q.state.usedBytes() <= q.state.quotaBytes());
        assertEquals(1, q.state.statsSnapshot().errors(RESP_ERR_OUT_OF_MEMORY));
    }

    @Test
    void quotaCountsTinyResources() {
        GpuHarness q = new GpuHarness(new GpuSettings("q", 1, 640, 480, 64 * 1024), 1 << 20);
        int created = 0;
        for (int id = 1; id < 10_000 && q.create(id, FORMAT_B8G8R8X8, 1, 1) == RESP_OK_NODATA; id++) {
            created++;
        }
        assertTrue(created < 300, "per-resource overhead is charged: " + created);
    }

    @Test
    void statsCount() {
        g.cmd(CMD_GET_DISPLAY_INFO);
        g.create(0, 1, 1, 1);
        GpuStats s = g.state.statsSnapshot();
        assertEquals(1, s.commands(CMD_GET_DISPLAY_INFO));
        assertEquals(1, s.commands(CMD_RESOURCE_CREATE_2D));
        assertEquals(1, s.errors(RESP_ERR_INVALID_RESOURCE_ID));
    }
}
