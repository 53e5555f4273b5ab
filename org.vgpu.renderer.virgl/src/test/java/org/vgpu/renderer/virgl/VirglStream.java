package org.vgpu.renderer.virgl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes virgl command streams as Mesa's virgl driver does (virglrenderer's virgl_protocol.h):
 * each command a dword header cmd | object << 8 | length << 16, then length dwords.
 */
final class VirglStream {
    static final int CCMD_CREATE_OBJECT = 1, CCMD_SET_FRAMEBUFFER_STATE = 5, CCMD_CLEAR = 7, CCMD_TRANSFER3D = 43;
    static final int TRANSFER_TO_HOST = 1, TRANSFER_FROM_HOST = 2;
    static final int OBJECT_SURFACE = 8;
    static final int PIPE_CLEAR_COLOR0 = 1 << 2;

    private final ByteBuffer out = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

    private VirglStream command(int cmd, int object, int... body) {
        out.putInt(cmd | object << 8 | body.length << 16);
        for (int v : body) {
            out.putInt(v);
        }
        return this;
    }

    /** A surface object (handle) of level 0, layer 0 of a resource, in format. */
    VirglStream surface(int handle, int resourceId, int format) {
        return command(CCMD_CREATE_OBJECT, OBJECT_SURFACE, handle, resourceId, format, 0, 0);
    }

    /** One colour buffer (a surface handle), no depth/stencil surface. */
    VirglStream framebuffer(int surfaceHandle) {
        return command(CCMD_SET_FRAMEBUFFER_STATE, 0, 1, 0, surfaceHandle);
    }

    /** Clears colour buffer 0 to (r, g, b, a). */
    VirglStream clear(float r, float g, float b, float a) {
        long depth = Double.doubleToLongBits(1.0);
        return command(CCMD_CLEAR, 0, PIPE_CLEAR_COLOR0, Float.floatToIntBits(r), Float.floatToIntBits(g), Float.floatToIntBits(b),
                Float.floatToIntBits(a), (int) depth, (int) (depth >>> 32), 0);
    }

    /**
     * A transfer inside the stream between the resource and the guest pages virglrenderer holds
     * for it (Mesa's staging uploads and readbacks): level 0, the box (x, y, w, h), rows at stride.
     */
    VirglStream transfer3d(int resourceId, int direction, int x, int y, int w, int h, int stride, int offset) {
        return command(CCMD_TRANSFER3D, 0, resourceId, 0, 0, stride, 0, x, y, 0, w, h, 1, offset, direction);
    }

    /** A raw dword (hostile streams). */
    VirglStream raw(int dword) {
        out.putInt(dword);
        return this;
    }

    byte[] bytes() {
        byte[] b = new byte[out.position()];
        out.get(0, b);
        return b;
    }
}
