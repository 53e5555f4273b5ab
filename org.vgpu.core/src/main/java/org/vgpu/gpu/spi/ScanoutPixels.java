package org.vgpu.gpu.spi;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Read access to what a scanout shows: the scanout's rect of its resource. Coordinates are relative
 * to the scanout. Valid only during the {@link DisplaySink} call that passed it.
 */
@ProviderType
public interface ScanoutPixels {

    int width();

    int height();

    PixelFormat format();

    /**
     * The shown resource as a dma-buf when its backend shares one (see {@link BackendResource#dmabuf()}),
     * else null; the scanout shows the rect at ({@link #sourceX()}, {@link #sourceY()}) of it.
     */
    default Dmabuf dmabuf() {
        return null;
    }

    /** Left edge of the scanout's rect in the resource. */
    default int sourceX() {
        return 0;
    }

    /** Top edge of the scanout's rect in the resource. */
    default int sourceY() {
        return 0;
    }

    /**
     * Rows [y, y + h) of the scanout as they lie in the resource's own memory, without a copy:
     * a direct buffer whose position..limit are exactly those rows, w * 4 bytes each and packed,
     * in {@link #format()}. Only where the scanout spans its resource's full width and the
     * backend keeps the pixels in memory of its own ({@link BackendResource#pixelMemory()}); else
     * null, and the caller uses {@link #read}. Read only, and only during the DisplaySink call.
     */
    default ByteBuffer wholeRows(int y, int h) {
        return null;
    }

    /** Copies rect (x, y, w, h) in {@link #format()} into dst; row r at dst[dstIndex + r * dstStride]. */
    void read(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride);
}
