package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/**
 * UPDATE_CURSOR (update) and MOVE_CURSOR: pos{scanout_id, x, y, padding}, resource_id, hot_x, hot_y,
 * padding. MOVE_CURSOR uses only pos.
 */
public record CursorCommand(boolean update, long scanoutId, int x, int y, int resourceId, int hotX, int hotY) implements GpuCommand {
    static final int SCANOUT_ID = 24, X = 28, Y = 32, RESOURCE_ID = 40, HOT_X = 44, HOT_Y = 48;
    public static final int SIZE = 56;

    public static CursorCommand read(ByteBuffer b, boolean update) {
        return new CursorCommand(update, Wire.u32(b, SCANOUT_ID), b.getInt(X), b.getInt(Y), b.getInt(RESOURCE_ID), b.getInt(HOT_X),
                b.getInt(HOT_Y));
    }
}
