package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_CREATE_2D: resource_id, format, width, height. */
public record ResourceCreate2d(int resourceId, int format, long width, long height) implements GpuCommand {
    static final int RESOURCE_ID = 24, FORMAT = 28, WIDTH = 32, HEIGHT = 36;
    public static final int SIZE = 40;

    public static ResourceCreate2d read(ByteBuffer b) {
        return new ResourceCreate2d(b.getInt(RESOURCE_ID), b.getInt(FORMAT), Wire.u32(b, WIDTH), Wire.u32(b, HEIGHT));
    }
}
