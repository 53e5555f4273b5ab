package org.vgpu.gpu.spi;

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

    /** Row pitch in bytes: the device's stride for the host copy and for TRANSFER source rows. */
    public long stride() {
        return (long) width * BYTES_PER_PIXEL;
    }

    public long sizeBytes() {
        return stride() * height;
    }
}
