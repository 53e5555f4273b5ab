package org.vgpu.gpu;

import java.nio.ByteBuffer;

import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.gpu.spi.ScanoutPixels;

/** One display head: its preferred mode and the resource rect it currently shows. */
final class Scanout implements ScanoutPixels {
    final int id;
    private final GpuStats stats;
    int preferredWidth;
    int preferredHeight;
    /** The display's own EDID (DisplayControl.displayEdid), checked; null: the device builds one. */
    byte[] displayEdid;
    Resource resource;       // null when disabled
    int x;
    int y;
    int width;
    int height;

    Scanout(int id, int preferredWidth, int preferredHeight, GpuStats stats) {
        this.id = id;
        this.stats = stats;
        this.preferredWidth = preferredWidth;
        this.preferredHeight = preferredHeight;
    }

    boolean enabled() {
        return resource != null;
    }

    // ScanoutPixels: the scanout itself is the (reused, allocation-free) pixel view handed to sinks.

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public PixelFormat format() {
        return resource == null ? null : PixelFormat.of(resource.spec.format());
    }

    @Override
    public org.vgpu.gpu.spi.Dmabuf dmabuf() {
        return resource == null || resource.store == null ? null : resource.store.dmabuf();
    }

    @Override
    public int sourceX() {
        return x;
    }

    @Override
    public int sourceY() {
        return y;
    }

    @Override
    public ByteBuffer wholeRows(int ry, int h) {
        if (resource == null || ry < 0 || h <= 0 || (long) ry + h > height) {
            return null;
        }
        long stride = resource.spec.stride();
        if (x != 0 || (long) width * org.vgpu.gpu.spi.ResourceSpec.BYTES_PER_PIXEL != stride) {
            return null; // the scanout's rows are not back to back in the resource
        }
        ByteBuffer memory = resource.store.pixelMemory();
        long start = (y + ry) * stride;
        long end = start + h * stride;
        if (memory == null || end > memory.capacity()) {
            return null;
        }
        memory.clear().position((int) start).limit((int) end);
        stats.addDisplayRead(resource.backend.name(), end - start);
        return memory;
    }

    @Override
    public void read(int rx, int ry, int w, int h, ByteBuffer dst, int dstIndex, int dstStride) {
        if (resource == null) {
            throw new IllegalStateException("scanout " + id + " is disabled");
        }
        if (rx < 0 || ry < 0 || w < 0 || h < 0 || (long) rx + w > width || (long) ry + h > height) {
            throw new IndexOutOfBoundsException("rect outside scanout " + id);
        }
        resource.store.readPixels(x + rx, y + ry, w, h, dst, dstIndex, dstStride);
        stats.addDisplayRead(resource.backend.name(), (long) w * h * org.vgpu.gpu.spi.ResourceSpec.BYTES_PER_PIXEL);
    }
}
