package org.vgpu.gpu.spi;

/** A 2D resource as the guest created it. All supported formats are 4 bytes per pixel, rows packed. */
public record ResourceSpec(int resourceId, int format, int width, int height) {

    public static final int BYTES_PER_PIXEL = 4;

    /** Row pitch in bytes: the device's stride for the host copy and for TRANSFER source rows. */
    public long stride() {
        return (long) width * BYTES_PER_PIXEL;
    }

    public long sizeBytes() {
        return stride() * height;
    }
}
