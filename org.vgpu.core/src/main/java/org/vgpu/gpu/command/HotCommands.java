package org.vgpu.gpu.command;

/**
 * The commands a guest sends per frame or per mouse move (TRANSFER_TO_HOST_2D, RESOURCE_FLUSH,
 * UPDATE_CURSOR, MOVE_CURSOR) are decoded into these holders, one set per decoder (per queue
 * worker), refilled for each request (as is the {@link Header}): measured with TransferBenchmark, records for them cost
 * 72..120 bytes per command (escape analysis does not remove them behind the table's reader and
 * the state's large methods), holders cost none. Every other command is a fresh record.
 */
public final class HotCommands {
    final TransferToHost2d transfer = new TransferToHost2d();
    final ResourceFlush flush = new ResourceFlush();
    final CursorCommand cursor = new CursorCommand();
}
