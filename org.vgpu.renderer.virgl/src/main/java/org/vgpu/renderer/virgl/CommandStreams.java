package org.vgpu.renderer.virgl;

import java.nio.ByteBuffer;

/**
 * The framing of a virgl command stream (virgl_protocol.h): dwords, each command a header dword
 * (cmd | object << 8 | length << 16) and length more. vgpu checks that every command ends inside
 * the buffer before virglrenderer decodes it (0.10.4 does not reject every overrun itself);
 * what the commands mean is virglrenderer's to check.
 */
final class CommandStreams {
    private CommandStreams() {
    }

    /** Whether commands[0, limit) is whole dwords and every command's length stays inside it. */
    static boolean framed(ByteBuffer commands) {
        int limit = commands.limit();
        if (limit % 4 != 0) {
            return false;
        }
        int dwords = limit / 4;
        int at = 0;
        while (at < dwords) {
            int length = commands.getInt(at * 4) >>> 16;
            if (length > dwords - at - 1) {
                return false;
            }
            at += length + 1;
        }
        return true;
    }
}
