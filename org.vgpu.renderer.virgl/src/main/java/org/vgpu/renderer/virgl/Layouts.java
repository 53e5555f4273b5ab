package org.vgpu.renderer.virgl;

import static org.vgpu.gpu.context.RenderingContext.ERR_INVALID_PARAMETER;
import static org.vgpu.gpu.context.RenderingContext.OK;

import org.vgpu.gpu.context.Resource3d;

/**
 * What vgpu checks of a 3D resource before virglrenderer sees it: RESOURCE_CREATE_3D's target,
 * sizes, levels and samples (and the host bytes it is charged), and a transfer's level, box,
 * strides and offset against the resource and its guest backing. Pure functions; u32 fields are
 * compared unsigned. Limits are the GL 4.5 / GLES 3.2 minimums virglrenderer itself reports.
 */
final class Layouts {
    static final int BUFFER = 0, TEXTURE_1D = 1, TEXTURE_2D = 2, TEXTURE_3D = 3, TEXTURE_CUBE = 4, TEXTURE_RECT = 5, TEXTURE_1D_ARRAY = 6,
            TEXTURE_2D_ARRAY = 7, TEXTURE_CUBE_ARRAY = 8;
    static final long MAX_TEXTURE_SIZE = 16384;
    static final long MAX_3D_SIZE = 2048;
    static final long MAX_LAYERS = 2048;
    static final long MAX_SAMPLES = 16;
    static final long MAX_BUFFER_BYTES = 1L << 30;
    static final int MAX_LEVELS = 15; // 16384 = 2^14: levels 0..14

    private Layouts() {
    }

    private static long u(int v) {
        return Integer.toUnsignedLong(v);
    }

    /** The host bytes resource r takes (every level, layer and sample), or -1 if it is not a resource vgpu lets virglrenderer make. */
    static long hostBytes(Resource3d r) {
        long w = u(r.width()), h = u(r.height()), d = u(r.depth()), layers = u(r.arraySize()), levels = u(r.lastLevel()) + 1;
        long samples = Math.max(1, u(r.nrSamples()));
        if (w == 0 || h == 0 || d == 0 || layers == 0 || samples > MAX_SAMPLES || levels > MAX_LEVELS) {
            return -1;
        }
        boolean ok;
        switch (r.target()) {
            case BUFFER: ok = w <= MAX_BUFFER_BYTES && h == 1 && d == 1 && layers == 1 && levels == 1; break;
            case TEXTURE_1D: ok = w <= MAX_TEXTURE_SIZE && h == 1 && d == 1 && layers == 1; break;
            case TEXTURE_2D: ok = w <= MAX_TEXTURE_SIZE && h <= MAX_TEXTURE_SIZE && d == 1 && layers == 1; break;
            case TEXTURE_RECT: ok = w <= MAX_TEXTURE_SIZE && h <= MAX_TEXTURE_SIZE && d == 1 && layers == 1 && levels == 1; break;
            case TEXTURE_3D: ok = w <= MAX_3D_SIZE && h <= MAX_3D_SIZE && d <= MAX_3D_SIZE && layers == 1; break;
            case TEXTURE_CUBE: ok = w <= MAX_TEXTURE_SIZE && w == h && d == 1 && layers == 6; break;
            case TEXTURE_1D_ARRAY: ok = w <= MAX_TEXTURE_SIZE && h == 1 && d == 1 && layers <= MAX_LAYERS; break;
            case TEXTURE_2D_ARRAY: ok = w <= MAX_TEXTURE_SIZE && h <= MAX_TEXTURE_SIZE && d == 1 && layers <= MAX_LAYERS; break;
            case TEXTURE_CUBE_ARRAY: ok = w <= MAX_TEXTURE_SIZE && w == h && d == 1 && layers % 6 == 0 && layers <= MAX_LAYERS; break;
            default: ok = false;
        }
        // A mip chain ends at 1x1x1; multisampled images have one level and are 2D.
        long largest = Math.max(w, Math.max(h, d));
        if (!ok || levels - 1 > 63 - Long.numberOfLeadingZeros(largest)
                || samples > 1 && (levels > 1 || r.target() != TEXTURE_2D && r.target() != TEXTURE_2D_ARRAY)) {
            return -1;
        }
        int blockBytes = VirglFormats.blockBytes(r.format());
        int side = VirglFormats.blockSide(r.format());
        if (blockBytes == 0) {
            blockBytes = VirglFormats.UNKNOWN_TEXEL_BYTES;
        }
        long total = 0;
        for (int l = 0; l < levels; l++) {
            long lw = blocks(Math.max(1, w >>> l), side), lh = blocks(Math.max(1, h >>> l), side);
            long ld = r.target() == TEXTURE_3D ? Math.max(1, d >>> l) : 1;
            total += lw * lh * ld * layers * blockBytes; // < 2^14 * 2^14 * 2^11 * 2^5: no overflow
        }
        return total * samples;
    }

    private static long blocks(long texels, int side) {
        return (texels + side - 1) / side;
    }

    /**
     * A TRANSFER_TO/FROM_HOST_3D (or a dumb buffer's TRANSFER_TO_HOST_2D) of r: the level exists,
     * the box is non-empty and inside that level (z: the slices of a 3D level, or the layers), and
     * the guest bytes it covers from offset, with the strides virglrenderer will use (0: the
     * level's own row and image size), end inside the backing. OK or ERR_INVALID_PARAMETER.
     */
    static int checkTransfer(Resource3d r, int x, int y, int z, int w, int h, int d, long offset, int level, int stride, int layerStride,
            long backingBytes) {
        if (Integer.compareUnsigned(level, r.lastLevel()) > 0 || offset < 0 || offset > backingBytes) {
            return ERR_INVALID_PARAMETER;
        }
        long levelWidth = Math.max(1, u(r.width()) >>> level);
        long levelHeight = r.target() == TEXTURE_1D_ARRAY ? u(r.arraySize()) : Math.max(1, u(r.height()) >>> level);
        long levelDepth;
        switch (r.target()) {
            case TEXTURE_3D: levelDepth = Math.max(1, u(r.depth()) >>> level); break;
            case TEXTURE_CUBE: case TEXTURE_2D_ARRAY: case TEXTURE_CUBE_ARRAY: levelDepth = u(r.arraySize()); break;
            default: levelDepth = 1;
        }
        if (!within(x, w, levelWidth) || !within(y, h, levelHeight) || !within(z, d, levelDepth)) {
            return ERR_INVALID_PARAMETER;
        }
        int blockBytes = VirglFormats.blockBytes(r.format());
        if (blockBytes == 0) {
            return OK; // layout unknown here: virglrenderer bounds it by the iovecs, which hold only checked guest pages
        }
        int side = VirglFormats.blockSide(r.format());
        long rowBytes = blocks(u(w), side) * blockBytes;
        long rows = blocks(u(h), side);
        long rowPitch = stride == 0 ? blocks(levelWidth, side) * blockBytes : u(stride);
        long imagePitch = layerStride == 0 ? rowPitch * blocks(levelHeight, side) : u(layerStride);
        if (rowPitch < rowBytes || imagePitch < rowPitch * (rows - 1) + rowBytes && u(d) > 1) {
            return ERR_INVALID_PARAMETER; // rows or images would overlap: not a layout a guest driver sends
        }
        // < 2^32 * 2^32 would overflow: (d - 1) * imagePitch is at most 2^11 * 2^32 here (d within the level).
        long span = (u(d) - 1) * imagePitch + (rows - 1) * rowPitch + rowBytes;
        return span <= backingBytes - offset ? OK : ERR_INVALID_PARAMETER;
    }

    private static boolean within(int start, int length, long limit) {
        return u(length) > 0 && u(start) + u(length) <= limit;
    }
}
