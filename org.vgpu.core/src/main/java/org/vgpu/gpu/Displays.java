package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.vgpu.gpu.command.Rect;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.PixelFormat;

/**
 * The scanouts (display heads): their preferred modes, the resource rect each shows, the display
 * sinks they go to, damage from RESOURCE_FLUSH, and captures of what a scanout shows.
 */
final class Displays {
    private final GpuState state;
    private final ResourceTable table;
    private final Scanout[] scanouts;
    private volatile DisplaySink[] sinks = new DisplaySink[0];

    Displays(GpuState state, ResourceTable table, GpuSettings settings) {
        this.state = state;
        this.table = table;
        this.scanouts = new Scanout[settings.numScanouts()];
        for (int i = 0; i < scanouts.length; i++) {
            scanouts[i] = new Scanout(i, settings.width(), settings.height(), state.stats());
        }
    }

    int count() {
        return scanouts.length;
    }

    Scanout get(int id) {
        return scanouts[id];
    }

    DisplaySink[] sinks() {
        return sinks;
    }

    /**
     * A sink added while scanouts show something (a VNC server configured after the guest drew) is
     * told what each shows at once, as SET_SCANOUT and a whole-scanout RESOURCE_FLUSH would: else it
     * would show nothing until the guest happens to flush again.
     */
    void addSink(DisplaySink sink) {
        DisplaySink[] s = Arrays.copyOf(sinks, sinks.length + 1);
        s[s.length - 1] = sink;
        sinks = s;
        for (Scanout sc : scanouts) {
            if (sc.resource != null) {
                sink.scanoutConfigured(state.deviceName(), sc.id, sc.width, sc.height);
                sink.damaged(state.deviceName(), sc.id, 0, 0, sc.width, sc.height, sc);
            }
        }
    }

    void removeSink(DisplaySink sink) {
        sinks = Arrays.stream(sinks).filter(s -> s != sink).toArray(DisplaySink[]::new);
    }

    /** The display's own EDID for a scanout; false if it is not a valid EDID or did not change. */
    boolean setDisplayEdid(int scanoutId, byte[] edid) {
        if (scanoutId < 0 || scanoutId >= scanouts.length || !Edid.isValid(edid)
                || java.util.Arrays.equals(scanouts[scanoutId].displayEdid, edid)) {
            return false;
        }
        scanouts[scanoutId].displayEdid = edid.clone();
        return true;
    }

    void setPreferredMode(int scanoutId, int width, int height) {
        scanouts[scanoutId].preferredWidth = width;
        scanouts[scanoutId].preferredHeight = height;
    }

    /** SET_SCANOUT (and the end of SET_SCANOUT_BLOB): resource 0 disables the scanout. */
    int show(long scanoutId, int resourceId, Rect rect) {
        if (scanoutId >= scanouts.length) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        Scanout s = scanouts[(int) scanoutId];
        if (resourceId == 0) {
            disable(s);
            return RESP_OK_NODATA;
        }
        Resource r = table.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (rect.empty() || !rect.within(r.width, r.height)) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (r.rendered != null) {
            int read = state.rendered().readback(r); // the sinks read the host copy
            if (read != RESP_OK_NODATA) {
                return read;
            }
        }
        if (s.resource != null) {
            s.resource.scanoutMask &= ~(1 << s.id);
        }
        s.resource = r;
        r.scanoutMask |= 1 << s.id;
        s.x = (int) rect.x();
        s.y = (int) rect.y();
        s.width = (int) rect.width();
        s.height = (int) rect.height();
        for (DisplaySink sink : sinks) {
            sink.scanoutConfigured(state.deviceName(), s.id, s.width, s.height);
        }
        return RESP_OK_NODATA;
    }

    void disable(int scanoutId) {
        disable(scanouts[scanoutId]);
    }

    private void disable(Scanout s) {
        if (s.resource == null) {
            return;
        }
        s.resource.scanoutMask &= ~(1 << s.id);
        s.resource = null;
        s.x = s.y = s.width = s.height = 0;
        for (DisplaySink sink : sinks) {
            sink.scanoutDisabled(state.deviceName(), s.id);
        }
    }

    /** Disables every scanout showing the resource. */
    void hide(Resource r) {
        for (Scanout s : scanouts) {
            if (s.resource == r) {
                disable(s);
            }
        }
    }

    void disableAll() {
        for (Scanout s : scanouts) {
            disable(s);
        }
    }

    /** RESOURCE_FLUSH: a blob's rect is read from its pages first; then each scanout showing it tells its sinks. */
    int flush(int resourceId, Rect rect) {
        Resource r = table.get(resourceId);
        int checked = state.blobs().checkRect(r, rect);
        if (checked != RESP_OK_NODATA) {
            return checked;
        }
        DisplaySink[] targets = sinks;
        if (r.scanoutMask == 0) {
            return RESP_OK_NODATA;
        }
        if (r.rendered != null) {
            int read = state.rendered().readback(r); // also without sinks: screenshots read the host copy
            if (read != RESP_OK_NODATA) {
                return read;
            }
        }
        if (targets.length == 0) {
            return RESP_OK_NODATA;
        }
        long x = rect.x(), y = rect.y();
        for (Scanout s : scanouts) {
            if (s.resource != r) {
                continue;
            }
            // Damage = flush rect clipped to the scanout's rect, in scanout coordinates.
            long x0 = Math.max(x, s.x);
            long y0 = Math.max(y, s.y);
            long x1 = Math.min(x + rect.width(), (long) s.x + s.width);
            long y1 = Math.min(y + rect.height(), (long) s.y + s.height);
            if (x1 <= x0 || y1 <= y0) {
                continue;
            }
            for (DisplaySink sink : targets) {
                sink.damaged(state.deviceName(), s.id, (int) (x0 - s.x), (int) (y0 - s.y), (int) (x1 - x0), (int) (y1 - y0), s);
            }
        }
        return RESP_OK_NODATA;
    }

    /**
     * The scanout as 0xAARRGGBB pixels (row-major, width x height), or null if disabled; with a
     * cursor it is blended in, as a display would show it.
     */
    Frame capture(int scanoutId, Cursor cursor) {
        if (scanoutId < 0 || scanoutId >= scanouts.length || scanouts[scanoutId].resource == null) {
            return null;
        }
        Scanout s = scanouts[scanoutId];
        ByteBuffer row = ByteBuffer.allocate(s.width * BYTES_PER_PIXEL);
        PixelFormat f = s.format();
        int[] argb = new int[s.width * s.height];
        for (int y = 0; y < s.height; y++) {
            s.read(0, y, s.width, 1, row, 0, row.capacity());
            for (int x = 0; x < s.width; x++) {
                argb[y * s.width + x] = f.argb(row, x * BYTES_PER_PIXEL);
            }
        }
        if (cursor != null && cursor.visible && cursor.scanoutId == scanoutId) {
            Frame.blendCursor(argb, s.width, s.height, cursor.image, cursor.x - cursor.hotX, cursor.y - cursor.hotY);
        }
        return new Frame(s.width, s.height, argb);
    }

    List<GpuState.ScanoutInfo> infos() {
        List<GpuState.ScanoutInfo> list = new ArrayList<>();
        for (Scanout s : scanouts) {
            list.add(new GpuState.ScanoutInfo(s.id, s.preferredWidth, s.preferredHeight, s.resource == null ? 0 : s.resource.spec.resourceId(),
                    s.x, s.y, s.width, s.height, s.displayEdid != null ? "display" : "device"));
        }
        return list;
    }
}
