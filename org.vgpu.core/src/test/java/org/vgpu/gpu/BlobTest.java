package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** GUEST blob resources: creation checks, SET_SCANOUT_BLOB layouts, and the host reading guest pages. */
class BlobTest {
    static final int W = 64, H = 32, STRIDE = W * 4 + 64, OFFSET = 4096;
    static final long SIZE = OFFSET + (long) STRIDE * H;

    final GpuHarness h = new GpuHarness();
    long[] pages;

    BlobTest() {
        h.state.setBlobEnabled(true);
    }

    /** CREATE_BLOB fields: resource_id, blob_mem, blob_flags, nr_entries, blob_id (2), size (2), then entries. */
    int createBlob(int id, int blobMem, int flags, long blobId, long size, long[] addrs, int[] lens) {
        List<Integer> f = new ArrayList<>(List.of(id, blobMem, flags, addrs.length, (int) blobId, (int) (blobId >>> 32),
                (int) size, (int) (size >>> 32)));
        for (int i = 0; i < addrs.length; i++) {
            f.addAll(List.of((int) addrs[i], (int) (addrs[i] >>> 32), lens[i], 0));
        }
        return h.cmd(CMD_RESOURCE_CREATE_BLOB, f.stream().mapToInt(Integer::intValue).toArray());
    }

    int createGuestBlob(int id) {
        pages = h.pages(SIZE);
        return createBlob(id, BLOB_MEM_GUEST, BLOB_FLAG_USE_SHAREABLE, 0, SIZE, pages, GpuHarness.pageLengths(pages.length));
    }

    /** SET_SCANOUT_BLOB: rect, scanout, resource, width, height, format, padding, strides[4], offsets[4]. */
    int setScanoutBlob(int scanout, int id, int w, int hgt, int format, int stride, int offset, int rx, int ry, int rw, int rh) {
        return h.cmd(CMD_SET_SCANOUT_BLOB, rx, ry, rw, rh, scanout, id, w, hgt, format, 0, stride, 0, 0, 0, offset, 0, 0, 0);
    }

    /** The guest writes pixel (x, y) of the layout as 0x00RRGGBB in B8G8R8X8. */
    void guestPixel(int x, int y, int rgb) {
        long at = OFFSET + (long) y * STRIDE + x * 4L;
        h.putBacking(pages, at, (byte) rgb);
        h.putBacking(pages, at + 1, (byte) (rgb >> 8));
        h.putBacking(pages, at + 2, (byte) (rgb >> 16));
    }

    @Test
    void blobCommandsAreUnknownUntilNegotiated() {
        h.state.setBlobEnabled(false);
        assertEquals(RESP_ERR_UNSPEC, createGuestBlob(1));
        assertEquals(RESP_ERR_UNSPEC, setScanoutBlob(0, 1, W, H, FORMAT_B8G8R8X8, STRIDE, OFFSET, 0, 0, W, H));
    }

    /**
     * Linux sends a blob dumb buffer's first TRANSFER_TO_HOST_2D before its SET_SCANOUT_BLOB (seen
     * from a 6.12 guest on QEMU 11.1's generic device): a blob without a layout has nothing to sync,
     * so OK_NODATA; once it has one, the rect is checked against it.
     */
    @Test
    void aTransferBeforeTheBlobHasALayoutIsFineAfterItTheRectIsChecked() {
        assertEquals(RESP_OK_NODATA, createGuestBlob(1));
        assertEquals(RESP_OK_NODATA, h.transfer(1, 0, 0, 1280, 800, 0));
        assertEquals(RESP_OK_NODATA, setScanoutBlob(0, 1, W, H, FORMAT_B8G8R8X8, STRIDE, OFFSET, 0, 0, W, H));
        assertEquals(RESP_OK_NODATA, h.transfer(1, 0, 0, W, H, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.transfer(1, 0, 0, STRIDE / 4 + 1, H, 0), "wider than the layout (stride / 4)");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, h.transfer(2, 0, 0, 1, 1, 0));
    }

    @Test
    void creationIsCheckedBeforeAnythingIsAllocated() {
        long[] p = h.pages(SIZE);
        int[] l = GpuHarness.pageLengths(p.length);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, createBlob(0, BLOB_MEM_GUEST, 0, 0, SIZE, p, l));
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(1, BLOB_MEM_HOST3D, 0, 0, SIZE, p, l), "no 3D context");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(1, BLOB_MEM_HOST3D_GUEST, 0, 0, SIZE, p, l));
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(1, 7, 0, 0, SIZE, p, l), "unknown blob_mem");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(1, BLOB_MEM_GUEST, BLOB_FLAG_USE_MAPPABLE, 0, SIZE, p, l),
                "MAPPABLE needs a host-visible region");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(1, BLOB_MEM_GUEST, 8, 0, SIZE, p, l), "unknown flag");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(1, BLOB_MEM_GUEST, 0, 5, SIZE, p, l), "blob_id for a GUEST blob");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(1, BLOB_MEM_GUEST, 0, 0, 0, p, l), "size 0");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(1, BLOB_MEM_GUEST, 0, 0, SIZE + 4096 * 8, p, l), "entries short of size");
        assertEquals(RESP_ERR_INVALID_PARAMETER, createBlob(1, BLOB_MEM_GUEST, 0, 0, 4096,
                new long[] { 0x7000_0000_0000L }, new int[] { 4096 }), "entry outside guest RAM");
        assertEquals(0, h.state.resources().size(), "nothing was created");
        assertEquals(RESP_OK_NODATA, createGuestBlob(1));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, createGuestBlob(1), "duplicate id");
    }

    @Test
    void quotaBoundsBlobs() {
        GpuHarness small = new GpuHarness(new GpuSettings("q", 1, 1280, 800, 64 << 10), 4 << 20);
        small.state.setBlobEnabled(true);
        long[] p = small.pages(128 << 10);
        List<Integer> f = new ArrayList<>(List.of(1, BLOB_MEM_GUEST, 0, p.length, 0, 0, 128 << 10, 0));
        for (long a : p) {
            f.addAll(List.of((int) a, (int) (a >>> 32), 4096, 0));
        }
        assertEquals(RESP_ERR_OUT_OF_MEMORY, small.cmd(CMD_RESOURCE_CREATE_BLOB, f.stream().mapToInt(Integer::intValue).toArray()));
    }

    @Test
    void scanoutBlobShowsGuestPixelsAndFlushRereadsThem() {
        assertEquals(RESP_OK_NODATA, createGuestBlob(5));
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                guestPixel(x, y, x << 16 | y << 8 | 0x42);
            }
        }
        assertEquals(RESP_OK_NODATA, setScanoutBlob(0, 5, W, H, FORMAT_B8G8R8X8, STRIDE, OFFSET, 0, 0, W, H));
        int[] frame = h.state.capture(0, false).argb();
        assertEquals(W * H, frame.length);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                assertEquals(x << 16 | y << 8 | 0x42, frame[y * W + x] & 0xffffff, "pixel " + x + "," + y);
            }
        }
        guestPixel(3, 4, 0x123456); // no TRANSFER: a FLUSH makes the host read the guest pages
        assertEquals(RESP_OK_NODATA, h.flush(5, 0, 0, W, H));
        assertEquals(0x123456, h.state.capture(0, false).argb()[4 * W + 3] & 0xffffff);
        assertEquals(RESP_ERR_UNSPEC, h.cmd(CMD_RESOURCE_DETACH_BACKING, 5, 0), "a blob keeps its pages");
        assertEquals(RESP_OK_RESOURCE_UUID, h.cmd(CMD_RESOURCE_ASSIGN_UUID, 5, 0));
        assertEquals(RESP_OK_NODATA, h.unref(5));
        assertEquals(0, h.state.usedBytes(), "quota released");
    }

    @Test
    void layoutsAreCheckedAgainstTheBlob() {
        assertEquals(RESP_OK_NODATA, createGuestBlob(5));
        assertEquals(RESP_OK_NODATA, h.create(6, FORMAT_B8G8R8X8, 4, 4));
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, setScanoutBlob(7, 5, W, H, FORMAT_B8G8R8X8, STRIDE, OFFSET, 0, 0, W, H));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, setScanoutBlob(0, 99, W, H, FORMAT_B8G8R8X8, STRIDE, OFFSET, 0, 0, W, H));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, setScanoutBlob(0, 6, 4, 4, FORMAT_B8G8R8X8, 16, 0, 0, 0, 4, 4), "not a blob");
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanoutBlob(0, 5, W, H, 99, STRIDE, OFFSET, 0, 0, W, H), "bad format");
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanoutBlob(0, 5, W, H, FORMAT_B8G8R8X8, W * 4 - 4, OFFSET, 0, 0, W, H), "stride < width");
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanoutBlob(0, 5, W, H, FORMAT_B8G8R8X8, STRIDE + 2, OFFSET, 0, 0, W, H), "stride not whole pixels");
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanoutBlob(0, 5, W, H, FORMAT_B8G8R8X8, STRIDE, OFFSET + STRIDE, 0, 0, W, H), "past the blob");
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanoutBlob(0, 5, W, H + 1, FORMAT_B8G8R8X8, STRIDE, OFFSET, 0, 0, W, H), "too tall");
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanoutBlob(0, 5, W, H, FORMAT_B8G8R8X8, STRIDE, 0xffff_ffff, 0, 0, W, H), "offset overflow");
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanoutBlob(0, 5, W, H, FORMAT_B8G8R8X8, STRIDE, OFFSET, 1, 0, W, H), "rect outside");
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanoutBlob(0, 5, 0, H, FORMAT_B8G8R8X8, STRIDE, OFFSET, 0, 0, 0, H), "zero width");
        assertEquals(RESP_OK_NODATA, setScanoutBlob(0, 5, W, H, FORMAT_B8G8R8X8, STRIDE, OFFSET, 0, 0, W, H));
        assertEquals(RESP_OK_NODATA, setScanoutBlob(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "resource 0 disables");
    }
}
