package org.vgpu.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.gpu.protocol.Protocol;

/** The cursor plane: a 64x64 ARGB image copied at UPDATE_CURSOR time, its hot spot and position. */
final class Cursor {
    static final int IMAGE_BYTES = Protocol.CURSOR_SIZE * Protocol.CURSOR_SIZE * 4;

    /** 0xAARRGGBB little-endian pixels, 64 per row. */
    final ByteBuffer image = ByteBuffer.allocateDirect(IMAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** What sinks get: read-only, little-endian (views do not inherit the byte order). */
    final ByteBuffer imageView = image.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    /** The source resource's pixels in its own format, before conversion. */
    final ByteBuffer raw = ByteBuffer.allocateDirect(IMAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    boolean visible;
    /** An image was set by UPDATE_CURSOR (a MOVE_CURSOR with resource 0 hides it, one with a resource shows it again). */
    boolean loaded;
    int resourceId;
    int scanoutId;
    int x;
    int y;
    int hotX;
    int hotY;

    void reset() {
        visible = false;
        loaded = false;
        resourceId = 0;
        scanoutId = 0;
        x = y = hotX = hotY = 0;
        clearImage();
    }

    void clearImage() {
        for (int i = 0; i < IMAGE_BYTES; i += 8) {
            image.putLong(i, 0);
        }
    }
}
