package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_CREATE_3D: resource_id, target, format, bind, width, height, depth, array_size, last_level, nr_samples, flags, padding. */
public record ResourceCreate3d(int resourceId, long target, int format, long bind, long width, long height, long depth,
        long arraySize, long lastLevel, long samples, long flags) implements GpuCommand {
    static final int RESOURCE_ID = 24, TARGET = 28, FORMAT = 32, BIND = 36, WIDTH = 40, HEIGHT = 44, DEPTH = 48,
            ARRAY_SIZE = 52, LAST_LEVEL = 56, NR_SAMPLES = 60, FLAGS = 64;
    public static final int SIZE = 72;

    public static ResourceCreate3d read(ByteBuffer b) {
        return new ResourceCreate3d(b.getInt(RESOURCE_ID), Wire.u32(b, TARGET), b.getInt(FORMAT), Wire.u32(b, BIND), Wire.u32(b, WIDTH),
                Wire.u32(b, HEIGHT), Wire.u32(b, DEPTH), Wire.u32(b, ARRAY_SIZE), Wire.u32(b, LAST_LEVEL), Wire.u32(b, NR_SAMPLES),
                Wire.u32(b, FLAGS));
    }
}
