package org.vgpu.backend.hostmem;

/** The device's context limit, as the tests see it (the constant is package-private in org.vgpu.gpu). */
final class GpuContextsLimits {
    static final int MAX_CONTEXTS = 64;

    private GpuContextsLimits() {
    }
}
