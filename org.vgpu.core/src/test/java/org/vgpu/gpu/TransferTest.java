package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.vgpu.gpu.spi.PixelFormat;

/** Guest pixels land pixel-exact in the copy backend, whatever the rect, offset, format or page layout. */
class TransferTest {
    private static final int W = 100; // stride 400: rows straddle the 4 KiB pages
    private static final int H = 70;

    private final GpuHarness g = new GpuHarness();
    private final Random rnd = new Random(7);

    private void fillBacking(long[] pages, long bytes) {
        for (long o = 0; o < bytes; o++) {
            g.putBacking(pages, o, (byte) rnd.nextInt());
        }
    }

    /** Host pixel (x, y) must equal the backing bytes at offset + (y - ry) * stride + (x - rx) * 4 inside the rect, old content outside. */
    private void assertTransferred(ByteBuffer before, ByteBuffer after, long[] pages, int rx, int ry, int rw, int rh, long offset) {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean inside = x >= rx && x < rx + rw && y >= ry && y < ry + rh;
                for (int c = 0; c < 4; c++) {
                    int hostIndex = (y * W + x) * 4 + c;
                    byte want = inside ? g.getBacking(pages, offset + (long) (y - ry) * W * 4 + (x - rx) * 4 + c) : before.get(hostIndex);
                    if (after.get(hostIndex) != want) {
                        fail("pixel " + x + "," + y + " byte " + c + (inside ? " inside" : " outside") + " rect");
                    }
                }
            }
        }
    }

    private void check(int x, int y, int w, int h, long offset, long[] pages) {
        ByteBuffer before = g.hostPixels(1);
        assertEquals(RESP_OK_NODATA, g.transfer(1, x, y, w, h, offset));
        assertTransferred(before, g.hostPixels(1), pages, x, y, w, h, offset);
    }

    @ParameterizedTest(name = "format {0}")
    @ValueSource(ints = {FORMAT_B8G8R8A8, FORMAT_B8G8R8X8, FORMAT_A8R8G8B8, FORMAT_X8R8G8B8,
        FORMAT_R8G8B8A8, FORMAT_X8B8G8R8, FORMAT_A8B8G8R8, FORMAT_R8G8B8X8})
    void everyFormatFullAndPartial(int format) {
        long[] pages = g.createWithBacking(1, format, W, H);
        assertTrue(pages.length > 1);
        for (int i = 1; i < pages.length; i++) {
            assertNotEquals(pages[i - 1] + GpuHarness.PAGE, pages[i], "pages are not contiguous");
        }
        fillBacking(pages, (long) W * H * 4);
        check(0, 0, W, H, 0, pages);                         // whole resource
        fillBacking(pages, (long) W * H * 4);
        check(13, 7, 50, 31, (7 * W + 13) * 4, pages);     // Linux style: offset = y * stride + x * 4
        check(99, 69, 1, 1, (69 * W + 99) * 4, pages);     // last pixel
        check(0, 20, W, 10, 20 * W * 4, pages);              // full-width band (contiguous path)
        check(5, 0, 3, H, 5 * 4, pages);                     // narrow column crossing every page
    }

    @Test
    void offsetIndependentOfRect() {
        long[] pages = g.createWithBacking(1, FORMAT_B8G8R8X8, W, H);
        fillBacking(pages, (long) W * H * 4);
        // The rect's rows are read from offset + k * stride wherever the rect is (QEMU semantics).
        check(40, 30, 20, 10, 0, pages);
        check(0, 0, 10, 3, 1234 * 4 + 2, pages);           // unaligned offset
        check(0, 50, W, 20, 4, pages);                       // full width, shifted source
    }

    @Test
    void unevenScatterList() {
        assertEquals(RESP_OK_NODATA, g.create(1, FORMAT_B8G8R8X8, W, H));
        long[] p = g.pages(10 * 4096);
        // Entries of odd sizes and offsets, including zero-length ones.
        long[] addrs = {p[0] + 3, p[1], p[2] + 100, p[3], p[4], p[5] + 7, p[6], p[7], p[8], p[9]};
        int[] lens = {4093, 0, 3996, 1, 4096, 4000, 0, 4096, 4096, 4096};
        long total = 0;
        for (int l : lens) {
            total += l;
        }
        assertEquals(RESP_OK_NODATA, g.attach(1, addrs, lens), "total " + total);
        ByteBuffer expected = ByteBuffer.allocate((int) total);
        int o = 0;
        for (int i = 0; i < addrs.length; i++) {
            for (int b = 0; b < lens[i]; b++) {
                byte v = (byte) rnd.nextInt();
                g.mem.ram.put((int) (addrs[i] - g.mem.base) + b, v);
                expected.put(o++, v);
            }
        }
        assertEquals(RESP_OK_NODATA, g.transfer(1, 0, 0, W, H, 0));
        ByteBuffer host = g.hostPixels(1);
        for (int i = 0; i < W * H * 4; i++) {
            assertEquals(expected.get(i), host.get(i), "byte " + i);
        }
        ByteBuffer before = host;
        assertEquals(RESP_OK_NODATA, g.transfer(1, 10, 10, 30, 20, 4093 - 8));
        ByteBuffer after = g.hostPixels(1);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean inside = x >= 10 && x < 40 && y >= 10 && y < 30;
                for (int c = 0; c < 4; c++) {
                    int i = (y * W + x) * 4 + c;
                    byte want = inside ? expected.get(4093 - 8 + (y - 10) * W * 4 + (x - 10) * 4 + c) : before.get(i);
                    assertEquals(want, after.get(i));
                }
            }
        }
        assertEquals((long) W * H * 4 + 30 * 20 * 4, g.state.statsSnapshot().bytesCopied());
    }

    @Test
    void zeroLengthEntryOutsideRamIsNeverTouched() {
        // Found by the fuzzer: a zero-length entry is valid anywhere, so its address may be outside RAM.
        assertEquals(RESP_OK_NODATA, g.create(1, FORMAT_B8G8R8X8, 16, 16));
        long[] p = g.pages(2 * 4096);
        assertEquals(RESP_OK_NODATA, g.attach(1, new long[] {p[0], 0x7fff_0000_0000L, p[1] + 1024}, new int[] {512, 0, 512}));
        assertEquals(RESP_OK_NODATA, g.transfer(1, 0, 0, 16, 16, 0));
        assertEquals(0, g.mem.violations);
    }

    @Test
    void formatsDecodeToArgb() {
        // The same colour (a=0x80 r=0x11 g=0x22 b=0x33) in each format's memory order.
        Object[][] cases = {
            {FORMAT_B8G8R8A8, new byte[] {0x33, 0x22, 0x11, (byte) 0x80}, 0x80112233},
            {FORMAT_B8G8R8X8, new byte[] {0x33, 0x22, 0x11, 0x55}, 0xff112233},
            {FORMAT_A8R8G8B8, new byte[] {(byte) 0x80, 0x11, 0x22, 0x33}, 0x80112233},
            {FORMAT_X8R8G8B8, new byte[] {0x55, 0x11, 0x22, 0x33}, 0xff112233},
            {FORMAT_R8G8B8A8, new byte[] {0x11, 0x22, 0x33, (byte) 0x80}, 0x80112233},
            {FORMAT_X8B8G8R8, new byte[] {0x55, 0x33, 0x22, 0x11}, 0xff112233},
            {FORMAT_A8B8G8R8, new byte[] {(byte) 0x80, 0x33, 0x22, 0x11}, 0x80112233},
            {FORMAT_R8G8B8X8, new byte[] {0x11, 0x22, 0x33, 0x55}, 0xff112233},
        };
        for (Object[] c : cases) {
            PixelFormat f = PixelFormat.of((Integer) c[0]);
            assertEquals((int) c[2], f.argb(ByteBuffer.wrap((byte[]) c[1]), 0), f.name());
        }
    }
}
