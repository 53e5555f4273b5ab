package org.vgpu.gpu.spi;

import java.nio.ByteBuffer;

/**
 * A 2D resource as the guest created it. All supported formats are 4 bytes per pixel, rows packed.
 * hostVisible: the guest maps the pixels themselves (a HOST3D MAPPABLE blob), so the backend must
 * hold them in host memory it can hand out as a mappable fd ({@link BackendResource#mappableFd()}).
 */
public record ResourceSpec(int resourceId, int format, int width, int height, boolean hostVisible) {

    public static final int BYTES_PER_PIXEL = 4;

    /** A resource whose pixels the guest reaches through TRANSFER or its own pages, not a mapping. */
    public ResourceSpec(int resourceId, int format, int width, int height) {
        this(resourceId, format, width, height, false);
    }

    /**
     * Copies rect (x, y, w, h) of pixels laid out as this spec says (stride() per row, from index 0)
     * into dst at dstIndex, dstStride bytes per row: what every linear backend's readPixels does.
     */
    public void copyRect(ByteBuffer pixels, int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
        long stride = stride();
        int rowBytes = w * BYTES_PER_PIXEL;
        for (int r = 0; r < h; r++) {
            dst.put(dstIndex + r * dstStride, pixels, (int) ((y + r) * stride + (long) x * BYTES_PER_PIXEL), rowBytes);
        }
    }

    /** Row pitch in bytes: the device's stride for the host copy and for TRANSFER source rows. */
    public long stride() {
        return (long) width * BYTES_PER_PIXEL;
    }

    public long sizeBytes() {
        return stride() * height;
    }
}
