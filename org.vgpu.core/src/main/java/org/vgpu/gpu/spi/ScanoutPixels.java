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

    /** Copies rect (x, y, w, h) in {@link #format()} into dst; row r at dst[dstIndex + r * dstStride]. */
    void read(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride);
}
