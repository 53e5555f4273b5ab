package org.vgpu.display.vnc;

import java.util.zip.Deflater;

/**
 * ZRLE (RFB 7.7.6): the rect in 64x64 tiles, each solid (subencoding 1), packed palette (2..16
 * colours) or raw CPIXELs (0), all through one zlib stream per connection (the client keeps one
 * inflater for the whole connection, so this encoder belongs to exactly one client). Buffers are
 * reused across updates.
 */
final class ZrleEncoder implements AutoCloseable {
    static final int TILE = 64;
    /** Speed over ratio: the solid and palette tiles already remove most redundancy of desktop images. */
    static final int LEVEL = 1;

    private final Deflater deflater = new Deflater(LEVEL);
    private final int[] tile = new int[TILE * TILE];
    private final int[] palette = new int[16];
    private byte[] staging = new byte[64 * 1024];
    /** Bytes in and out of the zlib stream, for the statistics. */
    long rawBytes, compressedBytes;

    void encode(OutBuffer out, int[] pixels, int stride, int x, int y, int w, int h, ClientPixelFormat pf) {
        int n = 0;
        for (int ty = y; ty < y + h; ty += TILE) {
            int th = Math.min(TILE, y + h - ty);
            for (int tx = x; tx < x + w; tx += TILE) {
                int tw = Math.min(TILE, x + w - tx);
                n = tile(n, pixels, stride, tx, ty, tw, th, pf);
            }
        }
        out.rect(x, y, w, h, Encodings.ZRLE);
        int lengthAt = out.pos;
        out.u32(0);
        deflater.setInput(staging, 0, n);
        while (true) {
            out.ensure(Math.max(1024, n / 4));
            int room = out.data.length - out.pos;
            int got = deflater.deflate(out.data, out.pos, room, Deflater.SYNC_FLUSH);
            out.pos += got;
            if (got < room) {
                break; // a full output buffer may hide more flushed data; a partial one is the end
            }
        }
        out.putU32At(lengthAt, out.pos - lengthAt - 4);
        rawBytes += n;
        compressedBytes += out.pos - lengthAt - 4;
    }

    /** Appends one tile's ZRLE data to staging at n; returns the new length. */
    private int tile(int n, int[] pixels, int stride, int tx, int ty, int tw, int th, ClientPixelFormat pf) {
        int count = tw * th;
        int colours = 0;
        for (int r = 0, i = 0; r < th; r++) {
            int base = (ty + r) * stride + tx;
            for (int c = 0; c < tw; c++, i++) {
                int v = pf.value(pixels[base + c]);
                tile[i] = v;
                if (colours <= 16 && indexOf(v, colours) < 0) {
                    if (colours < 16) {
                        palette[colours] = v;
                    }
                    colours++;
                }
            }
        }
        int cp = pf.cpixelBytes;
        if (staging.length - n < 1 + count * cp + 16 * cp) {
            staging = java.util.Arrays.copyOf(staging, Math.max(staging.length * 2, n + 1 + count * cp + 16 * cp));
        }
        byte[] s = staging;
        if (colours == 1) {
            s[n++] = 1;
            return pf.putCompressedValue(s, n, tile[0]);
        }
        if (colours <= 16) {
            s[n++] = (byte) colours;
            for (int p = 0; p < colours; p++) {
                n = pf.putCompressedValue(s, n, palette[p]);
            }
            int bits = colours == 2 ? 1 : colours <= 4 ? 2 : 4;
            for (int r = 0; r < th; r++) {
                int acc = 0, used = 0;
                for (int c = 0; c < tw; c++) {
                    acc = acc << bits | indexOf(tile[r * tw + c], colours);
                    used += bits;
                    if (used == 8) {
                        s[n++] = (byte) acc;
                        acc = 0;
                        used = 0;
                    }
                }
                if (used > 0) {
                    s[n++] = (byte) (acc << (8 - used)); // each row starts on a byte
                }
            }
            return n;
        }
        s[n++] = 0;
        for (int i = 0; i < count; i++) {
            n = pf.putCompressedValue(s, n, tile[i]);
        }
        return n;
    }

    private int indexOf(int v, int colours) {
        for (int p = 0; p < Math.min(colours, 16); p++) {
            if (palette[p] == v) {
                return p;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        deflater.end();
    }
}
