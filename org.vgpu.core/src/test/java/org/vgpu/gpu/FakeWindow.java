package org.vgpu.gpu;

import java.util.TreeMap;

import org.vgpu.virtio.api.SharedMemoryWindow;

/** A host-visible region that only records maps, refusing overlaps and unmaps of what it does not hold. */
final class FakeWindow implements SharedMemoryWindow {
    final TreeMap<Long, Long> maps = new TreeMap<>();
    private final long size;

    FakeWindow(long size) {
        this.size = size;
    }

    @Override
    public int id() {
        return 1;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void map(long offset, int fd, long fdOffset, long length, boolean writable) throws MappingException {
        if (offset < 0 || length <= 0 || offset > size - length) {
            throw new MappingException("outside the window");
        }
        var below = maps.floorEntry(offset + length - 1);
        if (below != null && below.getKey() + below.getValue() > offset) {
            throw new MappingException("overlaps");
        }
        maps.put(offset, length);
    }

    @Override
    public void unmap(long offset, long length) throws MappingException {
        Long l = maps.get(offset);
        if (l == null || l != length) {
            throw new MappingException("no such map");
        }
        maps.remove(offset);
    }
}
