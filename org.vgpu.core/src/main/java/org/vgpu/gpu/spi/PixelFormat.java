package org.vgpu.gpu.spi;

import java.nio.ByteBuffer;

import org.vgpu.gpu.protocol.Protocol;

/** The eight virtio-gpu 2D formats; each name is the byte order in memory. */
public enum PixelFormat {
    // DRM fourccs name the channels of a little-endian 32-bit word, so byte order B,G,R,A is ARGB8888.
    B8G8R8A8(Protocol.FORMAT_B8G8R8A8, "AR24"),
    B8G8R8X8(Protocol.FORMAT_B8G8R8X8, "XR24"),
    A8R8G8B8(Protocol.FORMAT_A8R8G8B8, "BA24"),
    X8R8G8B8(Protocol.FORMAT_X8R8G8B8, "BX24"),
    R8G8B8A8(Protocol.FORMAT_R8G8B8A8, "AB24"),
    X8B8G8R8(Protocol.FORMAT_X8B8G8R8, "RX24"),
    A8B8G8R8(Protocol.FORMAT_A8B8G8R8, "RA24"),
    R8G8B8X8(Protocol.FORMAT_R8G8B8X8, "XB24");

    private final int code;
    private final int channels;
    private final int drmFourcc;

    PixelFormat(int code, String fourcc) {
        this.code = code;
        this.channels = Protocol.channelOffsets(code);
        this.drmFourcc = fourcc.charAt(0) | fourcc.charAt(1) << 8 | fourcc.charAt(2) << 16 | fourcc.charAt(3) << 24;
    }

    /** The DRM fourcc (drm_fourcc.h) for the same memory layout. */
    public int drmFourcc() {
        return drmFourcc;
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

    private static final PixelFormat[] ALL = values(); // values() clones the array on every call

    /** The format with this DRM fourcc, or null. */
    public static PixelFormat ofDrmFourcc(int fourcc) {
        for (PixelFormat f : ALL) {
            if (f.drmFourcc == fourcc) {
                return f;
            }
        }
        return null;
    }

    /** The format for a virtio number, or null. */
    public static PixelFormat of(int code) {
        for (PixelFormat f : ALL) {
            if (f.code == code) {
                return f;
            }
        }
        return null;
    }
}
