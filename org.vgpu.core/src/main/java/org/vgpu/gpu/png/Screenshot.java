package org.vgpu.gpu.png;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.vgpu.gpu.Frame;
import org.vgpu.gpu.GpuInspection;
import org.vgpu.gpu.GpuState;

/** Writes a scanout as the guest would see it to a PNG file. */
public final class Screenshot {
    private Screenshot() {
    }

    /**
     * Captures scanoutId (with the cursor blended in if withCursor) to file; returns the frame, or
     * null if the scanout is disabled (then no file is written). A display ignores the alpha of
     * scanout formats, so the PNG is opaque RGB.
     */
    public static Frame write(GpuState state, int scanoutId, boolean withCursor, Path file) throws IOException {
        return write(GpuInspection.of(state), scanoutId, withCursor, file);
    }

    /** As {@link #write(GpuState, int, boolean, Path)}, through a device's inspection service. */
    public static Frame write(GpuInspection device, int scanoutId, boolean withCursor, Path file) throws IOException {
        Frame frame = device.capture(scanoutId, withCursor);
        if (frame == null) {
            return null;
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            PngEncoder.write(out, frame.width(), frame.height(), frame.argb(), false);
        }
        return frame;
    }
}
