package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.zip.Inflater;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ZRLE decoded here from RFB 7.7.6 (tiles, subencodings 0/1/2..16, CPIXEL rules) must give back every
 * pixel, in each pixel format; across several updates on one zlib stream, as a client's one inflater.
 */
class ZrleEncoderTest {
    /** A 150x70 rect: a solid tile, a 2-colour tile, a 5-colour tile, noisy (raw) tiles, partial edge tiles. */
    static int pixel(int x, int y, int frame) {
        if (x < 64 && y < 64) {
            return 0x336699;
        }
        if (x < 128 && y < 64) {
            return (x + y) % 2 == 0 ? 0xffffff : 0x000000;
        }
        if (y < 64) {
            return new int[] {0xff0000, 0x00ff00, 0x0000ff, 0x123456, 0xfedcba}[(x * 3 + y + frame) % 5];
        }
        return (x * 31 + y * 17 + frame) * 2654435761L > 0 ? (int) ((x * 131 + y * 7919 + frame) * 2654435761L) & 0xffffff : 0;
    }

    private static ClientPixelFormat format(int bpp, int depth, boolean be, int rMax, int gMax, int bMax, int rS, int gS, int bS) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) bpp).put((byte) depth).put((byte) (be ? 1 : 0)).put((byte) 1);
        b.putShort((short) rMax).putShort((short) gMax).putShort((short) bMax).put((byte) rS).put((byte) gS).put((byte) bS);
        return ClientPixelFormat.decode(b.position(16).flip()); // 3 bytes of padding
    }

    /** Reads a CPIXEL (or PIXEL) back to the client's pixel value. */
    private static int readPixel(ByteBuffer in, ClientPixelFormat pf, int[] shiftOut) {
        int n = pf.cpixelBytes, v = 0;
        for (int i = 0; i < n; i++) {
            int b = in.get() & 0xff;
            v = pf.bigEndian ? v << 8 | b : v | b << (8 * i);
        }
        return v << shiftOut[0];
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "32bpp LE 0RGB (3-byte CPIXEL low),32,24,false,255,255,255,16,8,0",
        "32bpp BE RGB0 (3-byte CPIXEL high),32,24,true,255,255,255,24,16,8",
        "32bpp BE 0BGR,32,24,true,255,255,255,0,8,16",
        "32bpp depth 32 (4-byte CPIXEL),32,32,false,255,255,255,16,8,0",
        "16bpp RGB565 LE,16,16,false,31,63,31,11,5,0",
        "16bpp RGB555 BE,16,15,true,31,31,31,10,5,0",
        "8bpp BGR233,8,8,false,7,7,3,0,3,6"})
    void decodesBackToEveryPixel(String name, int bpp, int depth, boolean be, int rMax, int gMax, int bMax, int rS, int gS, int bS)
            throws Exception {
        ClientPixelFormat pf = format(bpp, depth, be, rMax, gMax, bMax, rS, gS, bS);
        int w = 150, h = 70, stride = 160;
        int cpixelShift = pf.cpixelBytes == 3 && ((long) rMax << rS & 0xff) == 0 && ((long) bMax << bS & 0xff) == 0 && ((long) gMax << gS & 0xff) == 0 ? 8 : 0;
        Inflater inflater = new Inflater();
        try (ZrleEncoder zrle = new ZrleEncoder()) {
            for (int frame = 0; frame < 3; frame++) {
                int[] px = new int[stride * (h + 5)];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        px[(y + 5) * stride + x + 7] = pixel(x, y, frame);
                    }
                }
                OutBuffer out = new OutBuffer();
                zrle.encode(out, px, stride, 7, 5, w, h, pf);
                ByteBuffer msg = out.view();
                assertEquals(7, msg.getShort());
                assertEquals(5, msg.getShort());
                assertEquals(w, msg.getShort());
                assertEquals(h, msg.getShort());
                assertEquals(Encodings.ZRLE, msg.getInt());
                int length = msg.getInt();
                assertEquals(msg.remaining(), length);
                byte[] z = new byte[length];
                msg.get(z);
                inflater.setInput(z);
                byte[] raw = new byte[1 << 20];
                int n = inflater.inflate(raw);
                ByteBuffer in = ByteBuffer.wrap(raw, 0, n);
                int[] shift = {cpixelShift};
                for (int ty = 0; ty < h; ty += 64) {
                    for (int tx = 0; tx < w; tx += 64) {
                        int tw = Math.min(64, w - tx), th = Math.min(64, h - ty);
                        int sub = in.get() & 0xff;
                        int[] tile = new int[tw * th];
                        if (sub == 0) {
                            for (int i = 0; i < tile.length; i++) {
                                tile[i] = readPixel(in, pf, shift);
                            }
                        } else if (sub == 1) {
                            java.util.Arrays.fill(tile, readPixel(in, pf, shift));
                        } else if (sub <= 16) {
                            int[] palette = new int[sub];
                            for (int i = 0; i < sub; i++) {
                                palette[i] = readPixel(in, pf, shift);
                            }
                            int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
                            for (int r = 0; r < th; r++) {
                                int acc = 0, left = 0;
                                for (int c = 0; c < tw; c++) {
                                    if (left == 0) {
                                        acc = in.get() & 0xff;
                                        left = 8;
                                    }
                                    left -= bits;
                                    tile[r * tw + c] = palette[acc >> left & (1 << bits) - 1];
                                }
                            }
                        } else {
                            throw new AssertionError("unexpected subencoding " + sub);
                        }
                        for (int r = 0; r < th; r++) {
                            for (int c = 0; c < tw; c++) {
                                int want = pf.value(pixel(tx + c, ty + r, frame));
                                assertEquals(want, tile[r * tw + c], name + " frame " + frame + " pixel " + (tx + c) + "," + (ty + r));
                            }
                        }
                    }
                }
                assertEquals(0, in.remaining(), "nothing after the last tile");
            }
        } finally {
            inflater.end();
        }
    }
}
