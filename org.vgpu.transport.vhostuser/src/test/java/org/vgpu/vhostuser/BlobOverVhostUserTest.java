package org.vgpu.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vgpu.gpu.GpuDevice;

/**
 * Blob resources through the whole path (QEMU 10 never passes RESOURCE_BLOB to a guest, so the
 * project's own front end plays VMM and driver): a GUEST blob in the driver's RAM, shown with
 * SET_SCANOUT_BLOB, reaches the display socket pixel for pixel, and a FLUSH alone re-reads it.
 */
@Timeout(30)
class BlobOverVhostUserTest {
    static final long RESOURCE_BLOB = 1L << 3;
    static final int W = 48, H = 16, STRIDE = 256, OFFSET = 4096;

    @TempDir
    Path dir;

    @Test
    void guestBlobScanoutReachesTheDisplayExactly() throws Exception {
        DisplayChannels displays = new DisplayChannels();
        GpuDevice gpu = DisplayIsolationTest.gpu("gpuBlob", displays);
        VhostUserServer server = new VhostUserServer(gpu, VhostUserProtocolTest.config(dir.resolve("b.sock").toString()), displays);
        try (GpuDriver d = new GpuDriver(dir.resolve("b.sock"), true, RESOURCE_BLOB)) {
            long size = OFFSET + (long) STRIDE * H;
            int pages = (int) ((size + 4095) / 4096);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    writePixel(d, y * STRIDE + x * 4 + OFFSET, 0x00100000 * (x % 16) | y << 8 | 0x7);
                }
            }
            ByteBuffer create = ByteBuffer.allocateDirect(56 + 16 * pages).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            create.putInt(0x10c).putInt(0).putLong(0).putInt(0).putInt(0);
            create.putInt(9).putInt(1).putInt(2).putInt(pages).putLong(0).putLong(size); // GUEST, SHAREABLE
            for (int i = 0; i < pages; i++) {
                create.putLong(d.pageAddress(i)).putInt(GpuDriver.PAGE).putInt(0);
            }
            int slot = d.queue(create, create.position());
            d.kick();
            d.awaitAll();
            assertEquals(0x1100, d.responseType(slot), "RESOURCE_CREATE_BLOB");

            long seen = d.display().updates.get();
            ByteBuffer b = d.begin(0x10d, 0, 0);
            b.putInt(0).putInt(0).putInt(W).putInt(H).putInt(0).putInt(9).putInt(W).putInt(H).putInt(2).putInt(0);
            b.putInt(STRIDE).putInt(0).putInt(0).putInt(0).putInt(OFFSET).putInt(0).putInt(0).putInt(0);
            assertEquals(0x1100, d.execute(), "SET_SCANOUT_BLOB");
            flush(d);
            seen = d.display().awaitUpdateAfter(seen, 10_000);
            ByteBuffer update = d.display().lastUpdate;
            assertEquals(W, update.getInt(12), "update width");
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    assertEquals(0x00100000 * (x % 16) | y << 8 | 0x7, update.getInt(20 + (y * W + x) * 4) & 0xffffff, "pixel " + x + "," + y);
                }
            }
            writePixel(d, OFFSET + 5 * STRIDE + 6 * 4, 0xabcdef); // the guest draws; no TRANSFER for a blob
            flush(d);
            d.display().awaitUpdateAfter(seen, 10_000);
            assertEquals(0xabcdef, d.display().lastUpdate.getInt(20 + (5 * W + 6) * 4) & 0xffffff);
        } finally {
            server.deactivate();
        }
    }

    private static void flush(GpuDriver d) throws Exception {
        ByteBuffer f = d.begin(0x104, 0, 0);
        f.putInt(0).putInt(0).putInt(W).putInt(H).putInt(9).putInt(0);
        assertEquals(0x1100, d.execute(), "RESOURCE_FLUSH");
    }

    /** Writes a B8G8R8X8 pixel at a blob offset into the driver's scattered pages. */
    private static void writePixel(GpuDriver d, long blobOffset, int rgb) throws Exception {
        d.ram.writeInt(d.pageAddress(blobOffset / GpuDriver.PAGE) + blobOffset % GpuDriver.PAGE, rgb);
    }
}
