package org.vgpu.display.vnc;

import java.nio.ByteBuffer;

/**
 * A client's PIXEL_FORMAT (RFB 7.4) in true colour, with what turns a 0xAARRGGBB pixel into its
 * bytes: one lookup table per channel (built once per SetPixelFormat, so the hot path is three loads
 * and an OR), and ZRLE's compressed pixel (CPIXEL) size. Colour maps are not supported.
 */
final class ClientPixelFormat {
    /** What the server announces in ServerInit: 32 bpp, depth 24, little-endian, 0x00RRGGBB. */
    static final ClientPixelFormat SERVER = new ClientPixelFormat(32, 24, false, 255, 255, 255, 16, 8, 0);

    final int bitsPerPixel;
    final int depth;
    final boolean bigEndian;
    final int redMax, greenMax, blueMax;
    final int redShift, greenShift, blueShift;
    final int bytesPerPixel;
    /** ZRLE CPIXEL: 3 bytes when a 32 bpp colour fits in the low (cpixelShift 0) or high (8) 3 bytes. */
    final int cpixelBytes;
    private final int cpixelShift;
    private final int[] red = new int[256], green = new int[256], blue = new int[256];

    private ClientPixelFormat(int bpp, int depth, boolean bigEndian, int rMax, int gMax, int bMax, int rShift, int gShift, int bShift) {
        this.bitsPerPixel = bpp;
        this.depth = depth;
        this.bigEndian = bigEndian;
        this.redMax = rMax;
        this.greenMax = gMax;
        this.blueMax = bMax;
        this.redShift = rShift;
        this.greenShift = gShift;
        this.blueShift = bShift;
        this.bytesPerPixel = bpp / 8;
        for (int v = 0; v < 256; v++) {
            // Rounded scaling of an 8-bit channel to 0..max; exact identity when max is 255.
            red[v] = (v * rMax + 127) / 255 << rShift;
            green[v] = (v * gMax + 127) / 255 << gShift;
            blue[v] = (v * bMax + 127) / 255 << bShift;
        }
        long used = (long) rMax << rShift | (long) gMax << gShift | (long) bMax << bShift;
        if (bpp == 32 && depth <= 24 && (used & 0xff000000L) == 0) {
            cpixelBytes = 3;
            cpixelShift = 0;
        } else if (bpp == 32 && depth <= 24 && (used & 0xffL) == 0) {
            cpixelBytes = 3;
            cpixelShift = 8;
        } else {
            cpixelBytes = bytesPerPixel;
            cpixelShift = 0;
        }
    }

    /**
     * Decodes and checks the 16-byte PIXEL_FORMAT at buf's position; throws RfbException for a format
     * this server cannot send: bpp other than 8/16/32, depth 0 or above bpp, a colour map, a channel
     * max that is not 2^n - 1, or a channel that does not fit in the pixel.
     */
    static ClientPixelFormat decode(ByteBuffer buf) throws RfbException {
        int bpp = buf.get() & 0xff;
        int depth = buf.get() & 0xff;
        boolean bigEndian = buf.get() != 0;
        boolean trueColour = buf.get() != 0;
        int rMax = buf.getShort() & 0xffff, gMax = buf.getShort() & 0xffff, bMax = buf.getShort() & 0xffff;
        int rShift = buf.get() & 0xff, gShift = buf.get() & 0xff, bShift = buf.get() & 0xff;
        buf.position(buf.position() + 3); // padding
        if (bpp != 8 && bpp != 16 && bpp != 32) {
            throw new RfbException("unsupported bits-per-pixel " + bpp);
        }
        if (depth == 0 || depth > bpp) {
            throw new RfbException("bad depth " + depth + " for " + bpp + " bpp");
        }
        if (!trueColour) {
            throw new RfbException("colour-map pixel formats are not supported");
        }
        checkChannel("red", rMax, rShift, bpp);
        checkChannel("green", gMax, gShift, bpp);
        checkChannel("blue", bMax, bShift, bpp);
        return new ClientPixelFormat(bpp, depth, bigEndian, rMax, gMax, bMax, rShift, gShift, bShift);
    }

    private static void checkChannel(String name, int max, int shift, int bpp) throws RfbException {
        if (max == 0 || (max & (max + 1)) != 0) {
            throw new RfbException(name + "-max " + max + " is not 2^n-1");
        }
        if (shift + Integer.bitCount(max) > bpp) {
            throw new RfbException(name + " channel (max " + max + ", shift " + shift + ") does not fit in " + bpp + " bits");
        }
    }

    /** Writes this format as the 16-byte PIXEL_FORMAT (ServerInit). */
    void encode(ByteBuffer out) {
        out.put((byte) bitsPerPixel).put((byte) depth).put((byte) (bigEndian ? 1 : 0)).put((byte) 1);
        out.putShort((short) redMax).putShort((short) greenMax).putShort((short) blueMax);
        out.put((byte) redShift).put((byte) greenShift).put((byte) blueShift);
        out.put((byte) 0).put((byte) 0).put((byte) 0);
    }

    /** The client's pixel value for 0xAARRGGBB (alpha ignored). */
    int value(int argb) {
        return red[argb >> 16 & 0xff] | green[argb >> 8 & 0xff] | blue[argb & 0xff];
    }

    /** Appends the pixel at the array position pos; returns the new position. */
    int putPixel(byte[] out, int pos, int argb) {
        return put(out, pos, value(argb), bytesPerPixel);
    }

    /** Appends ZRLE's CPIXEL for a pixel value (from {@link #value}); returns the new position. */
    int putCompressedValue(byte[] out, int pos, int value) {
        return put(out, pos, value >>> cpixelShift, cpixelBytes);
    }

    /** Unrolled per size and byte order: this runs once per pixel sent. */
    private int put(byte[] out, int pos, int v, int bytes) {
        switch (bytes) {
            case 4 -> {
                if (bigEndian) {
                    out[pos] = (byte) (v >>> 24);
                    out[pos + 1] = (byte) (v >>> 16);
                    out[pos + 2] = (byte) (v >>> 8);
                    out[pos + 3] = (byte) v;
                } else {
                    out[pos] = (byte) v;
                    out[pos + 1] = (byte) (v >>> 8);
                    out[pos + 2] = (byte) (v >>> 16);
                    out[pos + 3] = (byte) (v >>> 24);
                }
            }
            case 3 -> {
                if (bigEndian) {
                    out[pos] = (byte) (v >>> 16);
                    out[pos + 1] = (byte) (v >>> 8);
                    out[pos + 2] = (byte) v;
                } else {
                    out[pos] = (byte) v;
                    out[pos + 1] = (byte) (v >>> 8);
                    out[pos + 2] = (byte) (v >>> 16);
                }
            }
            case 2 -> {
                if (bigEndian) {
                    out[pos] = (byte) (v >>> 8);
                    out[pos + 1] = (byte) v;
                } else {
                    out[pos] = (byte) v;
                    out[pos + 1] = (byte) (v >>> 8);
                }
            }
            default -> out[pos] = (byte) v;
        }
        return pos + bytes;
    }

    @Override
    public String toString() {
        return bitsPerPixel + "bpp depth " + depth + (bigEndian ? " BE" : " LE") + " r" + redMax + "<<" + redShift
                + " g" + greenMax + "<<" + greenShift + " b" + blueMax + "<<" + blueShift;
    }
}
