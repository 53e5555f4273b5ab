package org.vgpu.gpu.context;

/**
 * RESOURCE_CREATE_3D's fields as the guest sent them (u32 values, unsigned: compare with
 * {@link Integer#compareUnsigned}): a resource a {@link ResourceRenderer} is asked to make.
 */
public record Resource3d(int resourceId, int target, int format, int bind, int width, int height, int depth, int arraySize,
        int lastLevel, int nrSamples, int flags) {
}
