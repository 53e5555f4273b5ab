package org.vgpu.gpu.spi;

import java.nio.ByteBuffer;

import org.vgpu.gpu.protocol.Protocol;

/** The eight virtio-gpu 2D formats; each name is the byte order in memory. */
public enum PixelFormat {
    B8G8R8A8(Protocol.FORMAT_B8G8R8A8),
    B8G8R8X8(Protocol.FORMAT_B8G8R8X8),
    A8R8G8B8(Protocol.FORMAT_A8R8G8B8),
    X8R8G8B8(Protocol.FORMAT_X8R8G8B8),
    R8G8B8A8(Protocol.FORMAT_R8G8B8A8),
    X8B8G8R8(Protocol.FORMAT_X8B8G8R8),
    A8B8G8R8(Protocol.FORMAT_A8B8G8R8),
    R8G8B8X8(Protocol.FORMAT_R8G8B8X8);

    private final int code;
    private final int channels;

    PixelFormat(int code) {
        this.code = code;
        this.channels = Protocol.channelOffsets(code);
    }

    /** The virtio format number. */
    public int code() {
        return code;
    }

    public boolean hasAlpha() {
        return (channels >> 12 & 0xf) != 0xf;
    }

    /** The pixel at buf[index] as 0xAARRGGBB (alpha 0xff if the format has none). */
    public int argb(ByteBuffer buf, int index) {
        return Protocol.argb(buf, index, channels);
    }

    /** The format for a virtio number, or null. */
    public static PixelFormat of(int code) {
        for (PixelFormat f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        return null;
    }
}
