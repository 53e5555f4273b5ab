package org.vgpu.gpu.spi;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where scanouts and the cursor go: a transport's display channel, a PNG writer, a VNC server.
 * Registered as an OSGi service; a GPU device calls every sink, from its queue worker thread,
 * so implementations must return quickly and copy what they keep.
 */
@ConsumerType
public interface DisplaySink {

    /** SET_SCANOUT showed a resource on the scanout at this size. */
    void scanoutConfigured(String device, int scanoutId, int width, int height);

    /** SET_SCANOUT with resource 0, or the shown resource went away. */
    void scanoutDisabled(String device, int scanoutId);

    /** RESOURCE_FLUSH: the rect (relative to the scanout) changed; read it from pixels now. */
    void damaged(String device, int scanoutId, int x, int y, int width, int height, ScanoutPixels pixels);

    /** A new cursor image: 64x64 pixels, 0xAARRGGBB little-endian (B, G, R, A bytes), 16 KiB. */
    void cursorImage(String device, int scanoutId, ByteBuffer argb, int hotX, int hotY);

    /**
     * UPDATE_CURSOR: a new image shown with its hot spot at (x, y) on the scanout, in one step (a
     * display protocol that carries both, as vhost-user-gpu's CURSOR_UPDATE, sends one message).
     * By default the image, then the position.
     */
    default void cursorUpdated(String device, int scanoutId, ByteBuffer argb, int x, int y, int hotX, int hotY) {
        cursorImage(device, scanoutId, argb, hotX, hotY);
        cursorMoved(device, scanoutId, x, y);
    }

    /** The cursor hot spot moved to (x, y) on the scanout. */
    void cursorMoved(String device, int scanoutId, int x, int y);

    /** UPDATE_CURSOR or MOVE_CURSOR with resource 0: the cursor is not shown. */
    void cursorHidden(String device, int scanoutId);

    /** The sink now receives this device's output; control lets it report what its outputs want. */
    default void attached(String device, DisplayControl control) {
    }

    /** The device no longer sends to this sink. */
    default void detached(String device) {
    }
}
