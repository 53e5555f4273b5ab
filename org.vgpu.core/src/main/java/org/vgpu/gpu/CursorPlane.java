package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import org.vgpu.gpu.command.CursorCommand;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.PixelFormat;

/** The cursor queue's commands: UPDATE_CURSOR copies the image, MOVE_CURSOR only moves it; sinks follow. */
final class CursorPlane {
    private final GpuState state;
    private final ResourceTable table;
    private final Displays displays;
    final Cursor cursor = new Cursor();

    CursorPlane(GpuState state, ResourceTable table, Displays displays) {
        this.state = state;
        this.table = table;
        this.displays = displays;
    }

    int handle(CursorCommand c) {
        return c.update() ? update(c) : move(c);
    }

    /** UPDATE_CURSOR: copies up to 64x64 pixels of the resource as the cursor image; resource 0 hides it. */
    private int update(CursorCommand c) {
        if (c.scanoutId() >= displays.count()) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        int sid = (int) c.scanoutId();
        String device = state.deviceName();
        if (c.resourceId() == 0) {
            cursor.visible = false;
            cursor.loaded = false;
            cursor.resourceId = 0;
            for (DisplaySink sink : displays.sinks()) {
                sink.cursorHidden(device, sid);
            }
            return RESP_OK_NODATA;
        }
        Resource r = table.get(c.resourceId());
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.rendered != null) {
            int read = state.rendered().readback(r); // a virgl guest's cursor is a 3D resource
            if (read != RESP_OK_NODATA) {
                return read;
            }
        }
        if (r.store == null) {
            return RESP_ERR_INVALID_PARAMETER; // a blob without a layout has no pixels to show
        }
        int w = Math.min(CURSOR_SIZE, r.width);
        int h = Math.min(CURSOR_SIZE, r.height);
        cursor.clearImage();
        r.store.readPixels(0, 0, w, h, cursor.raw, 0, CURSOR_SIZE * 4);
        PixelFormat f = PixelFormat.of(r.spec.format());
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                int i = (row * CURSOR_SIZE + col) * 4;
                cursor.image.putInt(i, f.argb(cursor.raw, i));
            }
        }
        cursor.visible = true;
        cursor.resourceId = c.resourceId();
        cursor.hotX = c.hotX();
        cursor.hotY = c.hotY();
        cursor.scanoutId = sid;
        cursor.x = c.x();
        cursor.y = c.y();
        cursor.loaded = true;
        for (DisplaySink sink : displays.sinks()) {
            sink.cursorUpdated(device, sid, cursor.imageView, c.x(), c.y(), c.hotX(), c.hotY());
        }
        return RESP_OK_NODATA;
    }

    /**
     * MOVE_CURSOR: the image stays, the position changes. Resource 0 hides the cursor (as QEMU's
     * devices do); a move with a resource shows the last image again.
     */
    private int move(CursorCommand c) {
        if (c.scanoutId() >= displays.count()) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        cursor.scanoutId = (int) c.scanoutId();
        cursor.x = c.x();
        cursor.y = c.y();
        if (c.resourceId() == 0) {
            boolean wasVisible = cursor.visible;
            cursor.visible = false;
            if (wasVisible) {
                for (DisplaySink sink : displays.sinks()) {
                    sink.cursorHidden(state.deviceName(), cursor.scanoutId);
                }
            }
            return RESP_OK_NODATA;
        }
        cursor.visible = cursor.loaded;
        if (cursor.visible) {
            for (DisplaySink sink : displays.sinks()) {
                sink.cursorMoved(state.deviceName(), cursor.scanoutId, c.x(), c.y());
            }
        }
        return RESP_OK_NODATA;
    }

    /** The resource goes: the image was copied at UPDATE_CURSOR and stays visible. */
    void resourceGone(int resourceId) {
        if (cursor.resourceId == resourceId) {
            cursor.resourceId = 0;
        }
    }

    GpuState.CursorInfo info() {
        return new GpuState.CursorInfo(cursor.visible, cursor.scanoutId, cursor.x, cursor.y, cursor.hotX, cursor.hotY, cursor.resourceId);
    }

    /** The current 64x64 cursor image (0xAARRGGBB). */
    int[] image() {
        int[] px = new int[CURSOR_SIZE * CURSOR_SIZE];
        for (int i = 0; i < px.length; i++) {
            px[i] = cursor.image.getInt(i * 4);
        }
        return px;
    }
}
