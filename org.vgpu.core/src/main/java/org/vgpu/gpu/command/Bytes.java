package org.vgpu.gpu.command;

import java.nio.ByteBuffer;

/**
 * A bounded view of length bytes of a request from offset on (SUBMIT_3D's command buffer): every
 * read is checked against the view, so nothing past what the guest sent can be read. Valid while
 * the command is handled (the request buffer is reused for the next one).
 */
public record Bytes(ByteBuffer buffer, int offset, int length) {

    public int u8(int at) {
        return buffer.get(index(at, 1)) & 0xff;
    }

    public int u16(int at) {
        return buffer.getShort(index(at, 2)) & 0xffff;
    }

    public int i32(int at) {
        return buffer.getInt(index(at, 4));
    }

    public long u32(int at) {
        return i32(at) & 0xffff_ffffL;
    }

    private int index(int at, int width) {
        if (at < 0 || at > length - width) {
            throw new IndexOutOfBoundsException("byte " + at + " (+" + width + ") of " + length);
        }
        return offset + at;
    }
}
