package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import org.junit.jupiter.api.Test;

/** UPDATE_CURSOR / MOVE_CURSOR on the cursor queue. */
class CursorTest {
    private final GpuHarness g = new GpuHarness();
    private final RecordingSink sink = new RecordingSink();

    private int update(int scanout, int x, int y, int id, int hotX, int hotY) {
        return g.cmd(CMD_UPDATE_CURSOR, scanout, x, y, 0, id, hotX, hotY, 0);
    }

    /** MOVE_CURSOR as Linux sends it: with the resource shown (0 hides the cursor). */
    private int move(int scanout, int x, int y, int id) {
        return g.cmd(CMD_MOVE_CURSOR, scanout, x, y, 0, id, 0, 0, 0);
    }

    @Test
    void imageExtractedFromResource() {
        g.state.addSink(sink);
        long[] pages = g.createWithBacking(5, FORMAT_B8G8R8A8, 64, 64);
        for (int i = 0; i < 64 * 64; i++) { // pixel i = ARGB(i & 0xff, i >> 6, i & 63, 0x40) in B,G,R,A order
            g.putBacking(pages, i * 4L, (byte) 0x40);
            g.putBacking(pages, i * 4L + 1, (byte) (i & 63));
            g.putBacking(pages, i * 4L + 2, (byte) (i >> 6));
            g.putBacking(pages, i * 4L + 3, (byte) i);
        }
        assertEquals(RESP_OK_NODATA, g.transfer(5, 0, 0, 64, 64, 0));
        assertEquals(RESP_OK_NODATA, update(0, 100, 200, 5, 3, 4));
        assertEquals(RESP_NODATA_SIZE, g.respLength);
        int[] img = g.state.cursorImage();
        for (int i = 0; i < 64 * 64; i++) {
            int want = (i & 0xff) << 24 | (i >> 6) << 16 | (i & 63) << 8 | 0x40;
            assertEquals(want, img[i], "pixel " + i);
        }
        assertArrayEquals(img, sink.cursor);
        assertTrue(sink.events.contains("cursor 0 hot 3,4"));
        assertEquals("moved 0 100,200", sink.last);
        GpuState.CursorInfo c = g.state.cursor();
        assertTrue(c.visible());
        assertEquals(3, c.hotX());
        assertEquals(4, c.hotY());
    }

    @Test
    void smallResourceAndXFormat() {
        long[] pages = g.createWithBacking(6, FORMAT_R8G8B8X8, 8, 4);
        for (int i = 0; i < 32; i++) {
            g.putBacking(pages, i * 4L, (byte) 0x10);
            g.putBacking(pages, i * 4L + 1, (byte) 0x20);
            g.putBacking(pages, i * 4L + 2, (byte) 0x30);
            g.putBacking(pages, i * 4L + 3, (byte) 0);
        }
        g.transfer(6, 0, 0, 8, 4, 0);
        assertEquals(RESP_OK_NODATA, update(0, 0, 0, 6, 0, 0));
        int[] img = g.state.cursorImage();
        assertEquals(0xff102030, img[0]);
        assertEquals(0xff102030, img[3 * 64 + 7]);
        assertEquals(0, img[3 * 64 + 8], "outside the 8x4 resource: transparent");
        assertEquals(0, img[4 * 64]);
    }

    @Test
    void moveAndHide() {
        g.state.addSink(sink);
        g.createWithBacking(5, FORMAT_B8G8R8A8, 64, 64);
        update(0, 1, 1, 5, 0, 0);
        assertEquals(RESP_OK_NODATA, move(0, 300, 400, 5));
        assertEquals("moved 0 300,400", sink.last);
        assertEquals(300, g.state.cursor().x());
        assertEquals(RESP_OK_NODATA, update(0, 0, 0, 0, 0, 0), "resource 0 hides");
        assertEquals("hidden 0", sink.last);
        assertFalse(g.state.cursor().visible());
        assertEquals(RESP_OK_NODATA, move(0, 5, 5, 5));
        assertEquals("hidden 0", sink.last, "a cursor without an image moves silently");
    }

    /** QEMU's devices hide the cursor on MOVE_CURSOR with resource 0; a move with the resource shows the image again. */
    @Test
    void moveWithResourceZeroHidesAndAMoveWithTheResourceShowsAgain() {
        g.state.addSink(sink);
        g.createWithBacking(5, FORMAT_B8G8R8A8, 64, 64);
        update(0, 1, 1, 5, 0, 0);
        assertEquals(RESP_OK_NODATA, move(0, 20, 30, 0));
        assertEquals("hidden 0", sink.last);
        assertFalse(g.state.cursor().visible());
        assertEquals(RESP_OK_NODATA, move(0, 40, 50, 5));
        assertEquals("moved 0 40,50", sink.last);
        assertTrue(g.state.cursor().visible());
    }

    @Test
    void errors() {
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, update(1, 0, 0, 5, 0, 0));
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, move(16, 0, 0, 5));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, update(0, 0, 0, 5, 0, 0));
    }

    @Test
    void noResponseRoomIsFine() {
        g.header(CMD_MOVE_CURSOR);
        assertEquals(0, g.decoder.handle(g.req, REQ_CURSOR, java.nio.ByteBuffer.allocate(0)));
        assertEquals(RESP_NODATA_SIZE, g.decoder.handle(g.req, REQ_CURSOR, java.nio.ByteBuffer.allocate(64)));
    }
}
