package org.vgpu.virtio.runtime;

import java.util.Map;
import java.util.TreeMap;

import org.vgpu.virtio.api.SharedMemoryWindow.MappingException;

/**
 * The live maps of one shared memory window, and the checks every transport owes its window's
 * callers whatever the device already checked: page-aligned, inside the window, no overlap,
 * an unmap names exactly one earlier map. Not thread-safe: the window holding it synchronizes.
 */
public final class WindowMaps {
    private final long size;
    private final long pageSize;
    /** window offset -> length of the map there. */
    private final TreeMap<Long, Long> maps = new TreeMap<>();

    /** pageSize: a power of two. */
    public WindowMaps(long size, long pageSize) {
        if (Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size " + pageSize);
        }
        this.size = size;
        this.pageSize = pageSize;
    }

    /** Throws unless length bytes of an fd at fdOffset may be mapped at offset. */
    public void checkMap(long offset, long fdOffset, long length) throws MappingException {
        if (offset < 0 || fdOffset < 0 || length <= 0) {
            throw new MappingException(String.format("map %d+%d (fd offset %d) is empty or negative", offset, length, fdOffset));
        }
        if (((offset | fdOffset | length) & (pageSize - 1)) != 0) {
            throw new MappingException(String.format("map 0x%x+0x%x (fd offset 0x%x) is not page aligned", offset, length, fdOffset));
        }
        if (offset > size || length > size - offset) {
            throw new MappingException(String.format("map 0x%x+0x%x lies outside the 0x%x byte window", offset, length, size));
        }
        Map.Entry<Long, Long> below = maps.floorEntry(offset + length - 1);
        if (below != null && below.getKey() + below.getValue() > offset) {
            throw new MappingException(String.format("map 0x%x+0x%x overlaps the map at 0x%x+0x%x", offset, length,
                    below.getKey(), below.getValue()));
        }
    }

    /** Records a map that {@link #checkMap} allowed and the transport made. */
    public void added(long offset, long length) {
        maps.put(offset, length);
    }

    /** Throws unless exactly this map exists. */
    public void checkUnmap(long offset, long length) throws MappingException {
        Long mapped = maps.get(offset);
        if (mapped == null || mapped != length) {
            throw new MappingException(String.format("no map of 0x%x bytes at 0x%x", length, offset));
        }
    }

    public void removed(long offset) {
        maps.remove(offset);
    }

    public int count() {
        return maps.size();
    }
}
