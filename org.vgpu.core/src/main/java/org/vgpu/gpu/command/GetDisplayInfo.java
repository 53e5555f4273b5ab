package org.vgpu.gpu.command;

/** GET_DISPLAY_INFO: the header alone. */
public record GetDisplayInfo() implements GpuCommand {
    public static final int SIZE = Header.SIZE;
    public static final GetDisplayInfo INSTANCE = new GetDisplayInfo();
}
