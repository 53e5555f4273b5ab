package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** SET_SCANOUT_BLOB: rect, scanout_id, resource_id, width, height, format, padding, strides[4], offsets[4] (plane 0 used). */
public record SetScanoutBlob(Rect rect, long scanoutId, int resourceId, BlobLayout layout) implements GpuCommand {
    static final int RECT = 24, SCANOUT_ID = 40, RESOURCE_ID = 44, WIDTH = 48, HEIGHT = 52, FORMAT = 56, STRIDES = 64, OFFSETS = 80;
    public static final int SIZE = 96;

    public static SetScanoutBlob read(ByteBuffer b) {
        BlobLayout layout = new BlobLayout(b.getInt(FORMAT), Wire.u32(b, WIDTH), Wire.u32(b, HEIGHT), Wire.u32(b, STRIDES), Wire.u32(b, OFFSETS));
        return new SetScanoutBlob(Rect.read(b, RECT), Wire.u32(b, SCANOUT_ID), b.getInt(RESOURCE_ID), layout);
    }
}
