package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** TRANSFER_TO_HOST_3D (toHost) and TRANSFER_FROM_HOST_3D: box, le64 offset, resource_id, level, stride, layer_stride. */
public record Transfer3d(boolean toHost, Box box, long offset, int resourceId, long level, long stride, long layerStride)
        implements GpuCommand {
    static final int BOX = 24, OFFSET = 48, RESOURCE_ID = 56, LEVEL = 60, STRIDE = 64, LAYER_STRIDE = 68;
    public static final int SIZE = 72;

    public static Transfer3d read(ByteBuffer b, boolean toHost) {
        return new Transfer3d(toHost, Box.read(b, BOX), b.getLong(OFFSET), b.getInt(RESOURCE_ID), Wire.u32(b, LEVEL),
                Wire.u32(b, STRIDE), Wire.u32(b, LAYER_STRIDE));
    }
}
