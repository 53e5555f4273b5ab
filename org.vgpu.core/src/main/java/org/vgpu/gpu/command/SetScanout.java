package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** SET_SCANOUT: rect, scanout_id, resource_id (0 disables the scanout). */
public record SetScanout(Rect rect, long scanoutId, int resourceId) implements GpuCommand {
    static final int RECT = 24, SCANOUT_ID = 40, RESOURCE_ID = 44;
    public static final int SIZE = 48;

    public static SetScanout read(ByteBuffer b) {
        return new SetScanout(Rect.read(b, RECT), Wire.u32(b, SCANOUT_ID), b.getInt(RESOURCE_ID));
    }
}
