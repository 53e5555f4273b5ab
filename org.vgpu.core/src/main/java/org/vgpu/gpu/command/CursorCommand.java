package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/**
 * UPDATE_CURSOR (update) and MOVE_CURSOR: pos{scanout_id, x, y, padding}, resource_id, hot_x, hot_y,
 * padding. MOVE_CURSOR uses pos and resource_id (0 hides the cursor). A reused holder (see {@link HotCommands}).
 */
public final class CursorCommand implements GpuCommand {
    static final int SCANOUT_ID = 24, X = 28, Y = 32, RESOURCE_ID = 40, HOT_X = 44, HOT_Y = 48;
    public static final int SIZE = 56;

    private boolean update;
    private long scanoutId;
    private int x;
    private int y;
    private int resourceId;
    private int hotX;
    private int hotY;

    CursorCommand fill(ByteBuffer b, boolean isUpdate) {
        update = isUpdate;
        scanoutId = Wire.u32(b, SCANOUT_ID);
        x = b.getInt(X);
        y = b.getInt(Y);
        resourceId = b.getInt(RESOURCE_ID);
        hotX = b.getInt(HOT_X);
        hotY = b.getInt(HOT_Y);
        return this;
    }

    public boolean update() {
        return update;
    }

    public long scanoutId() {
        return scanoutId;
    }

    public int x() {
        return x;
    }

    public int y() {
        return y;
    }

    public int resourceId() {
        return resourceId;
    }

    public int hotX() {
        return hotX;
    }

    public int hotY() {
        return hotY;
    }
}
