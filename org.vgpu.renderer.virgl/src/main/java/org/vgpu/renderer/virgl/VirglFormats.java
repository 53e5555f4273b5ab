package org.vgpu.renderer.virgl;

/**
 * Sizes of virgl (gallium) formats, from virglrenderer's virgl_hw.h: bytes per block and block
 * size, for the quota charge of a resource and the bounds of a transfer in guest memory. A format
 * not listed (ASTC other than 4x4, planar YUV, ...) has no known layout: it is charged as 16 bytes
 * per texel, and its transfers are checked by virglrenderer against the iovecs (which cover only
 * checked guest pages).
 */
final class VirglFormats {
    /** The most bytes a texel of any format takes (R32G32B32A32; R64 formats are 8 per channel but rare): the charge of an unknown format. */
    static final int UNKNOWN_TEXEL_BYTES = 16;

    private static final byte[] TEXEL_BYTES = new byte[320];
    private static final boolean[] BLOCK_4X4 = new boolean[320];

    static {
        texel(1, 9, 10, 11, 23, 64, 69, 74, 82, 95, 127, 130, 139, 147, 148, 150, 168, 169, 177, 181, 201, 202, 203, 205, 206, 207, 312);
        texel(2, 5, 6, 7, 12, 13, 14, 15, 16, 48, 52, 56, 60, 65, 70, 75, 83, 91, 96, 122, 135, 141, 142, 149, 151, 152, 154, 155, 156,
                158, 170, 171, 178, 182, 185, 189, 204, 208, 209, 210, 211, 213, 214, 215, 242, 247, 248, 254, 259, 260, 261, 263, 264, 311);
        texel(3, 66, 71, 76, 84, 97, 179, 183);
        texel(4, 1, 2, 3, 4, 8, 17, 18, 19, 20, 21, 22, 28, 32, 36, 40, 44, 49, 53, 57, 61, 67, 68, 72, 77, 85, 87, 92, 98, 99, 100, 101,
                102, 103, 104, 117, 118, 119, 120, 121, 123, 124, 125, 128, 129, 131, 132, 133, 134, 136, 137, 140, 153, 157, 159, 160, 162,
                172, 173, 174, 175, 176, 180, 184, 186, 190, 193, 197, 212, 216, 217, 218, 219, 221, 222, 223, 225, 227, 228, 229, 230, 231,
                232, 233, 243, 244, 245, 249, 250, 253, 262, 265, 266, 267, 268, 308);
        texel(6, 50, 54, 58, 62, 93, 187, 191);
        texel(8, 24, 29, 33, 37, 41, 45, 51, 55, 59, 63, 88, 94, 126, 138, 161, 188, 192, 194, 198, 220, 224, 234, 235, 236, 237, 238,
                246, 251, 252);
        texel(12, 30, 34, 38, 42, 46, 89, 195, 199);
        texel(16, 25, 31, 35, 39, 43, 47, 90, 196, 200, 239, 240, 241);
        texel(24, 26);
        texel(32, 27);
        block(8, 105, 106, 109, 110, 113, 114, 143, 144, 226, 269, 270, 271, 272, 275, 276);
        block(16, 107, 108, 111, 112, 115, 116, 145, 146, 255, 256, 257, 258, 273, 274, 277, 278, 279, 293);
    }

    private VirglFormats() {
    }

    private static void texel(int bytes, int... formats) {
        for (int f : formats) {
            TEXEL_BYTES[f] = (byte) bytes;
        }
    }

    private static void block(int bytes, int... formats) {
        texel(bytes, formats);
        for (int f : formats) {
            BLOCK_4X4[f] = true;
        }
    }

    /** Bytes per block (a texel, or a 4x4 block of a compressed format); 0 if the format's layout is not known. */
    static int blockBytes(int format) {
        return format > 0 && format < TEXEL_BYTES.length ? TEXEL_BYTES[format] : 0;
    }

    /** Texels per block side: 4 for the compressed formats, else 1. */
    static int blockSide(int format) {
        return format > 0 && format < BLOCK_4X4.length && BLOCK_4X4[format] ? 4 : 1;
    }
}
