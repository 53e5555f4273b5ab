package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/** RESOURCE_ASSIGN_UUID: resource_id, padding. */
public record AssignUuid(int resourceId) implements GpuCommand {
    static final int RESOURCE_ID = 24;
    public static final int SIZE = 32;

    public static AssignUuid read(ByteBuffer b) {
        return new AssignUuid(b.getInt(RESOURCE_ID));
    }
}
