package org.vgpu.gpu.shell;

import org.vgpu.gpu.protocol.Protocol;

/** The command types vgpu:stats lists, in protocol order. */
final class StatsView {
    static final int[] COMMANDS = {
        Protocol.CMD_GET_DISPLAY_INFO, Protocol.CMD_RESOURCE_CREATE_2D, Protocol.CMD_RESOURCE_UNREF,
        Protocol.CMD_SET_SCANOUT, Protocol.CMD_RESOURCE_FLUSH, Protocol.CMD_TRANSFER_TO_HOST_2D,
        Protocol.CMD_RESOURCE_ATTACH_BACKING, Protocol.CMD_RESOURCE_DETACH_BACKING, Protocol.CMD_GET_CAPSET_INFO,
        Protocol.CMD_GET_CAPSET, Protocol.CMD_GET_EDID, Protocol.CMD_RESOURCE_ASSIGN_UUID,
        Protocol.CMD_UPDATE_CURSOR, Protocol.CMD_MOVE_CURSOR,
    };

    private StatsView() {
    }
}
