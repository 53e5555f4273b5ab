package org.vgpu.virtio.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vgpu.virtio.api.SharedMemoryWindow.MappingException;

class WindowMapsTest {
    private static final long PAGE = 4096;
    private final WindowMaps maps = new WindowMaps(16 * PAGE, PAGE);

    private String refusal(long offset, long fdOffset, long length) {
        return assertThrows(MappingException.class, () -> maps.checkMap(offset, fdOffset, length)).getMessage();
    }

    @Test
    void unalignedOrEmptyMapsAreRefused() {
        assertTrue(refusal(1, 0, PAGE).contains("not page aligned"));
        assertTrue(refusal(0, 512, PAGE).contains("not page aligned"));
        assertTrue(refusal(0, 0, PAGE + 1).contains("not page aligned"));
        assertTrue(refusal(0, 0, 0).contains("empty or negative"));
        assertTrue(refusal(-PAGE, 0, PAGE).contains("empty or negative"));
        assertTrue(refusal(0, -PAGE, PAGE).contains("empty or negative"));
        assertTrue(refusal(0, 0, -PAGE).contains("empty or negative"));
    }

    @Test
    void mapsPastTheWindowAreRefusedWithoutOverflow() throws Exception {
        assertTrue(refusal(16 * PAGE, 0, PAGE).contains("outside"));
        assertTrue(refusal(15 * PAGE, 0, 2 * PAGE).contains("outside"));
        long hugeAligned = Long.MAX_VALUE & ~(PAGE - 1);
        assertTrue(refusal(PAGE, 0, hugeAligned).contains("outside"), "offset + length overflows a long");
        assertTrue(refusal(hugeAligned, 0, PAGE).contains("outside"));
        maps.checkMap(15 * PAGE, 0, PAGE); // the last page fits
    }

    @Test
    void overlapsAreRefusedAndNeighboursAllowed() throws Exception {
        maps.checkMap(4 * PAGE, 0, 4 * PAGE);
        maps.added(4 * PAGE, 4 * PAGE);
        assertTrue(refusal(4 * PAGE, 0, PAGE).contains("overlaps"));
        assertTrue(refusal(7 * PAGE, 0, 2 * PAGE).contains("overlaps"));
        assertTrue(refusal(2 * PAGE, 0, 3 * PAGE).contains("overlaps"));
        assertTrue(refusal(0, 0, 16 * PAGE).contains("overlaps"), "a map covering another");
        assertDoesNotThrow(() -> maps.checkMap(0, 0, 4 * PAGE));
        assertDoesNotThrow(() -> maps.checkMap(8 * PAGE, 0, 8 * PAGE));
        assertEquals(1, maps.count());
    }

    @Test
    void anUnmapNamesExactlyOneMap() throws Exception {
        maps.added(4 * PAGE, 2 * PAGE);
        assertThrows(MappingException.class, () -> maps.checkUnmap(4 * PAGE, PAGE), "a part of a map");
        assertThrows(MappingException.class, () -> maps.checkUnmap(5 * PAGE, PAGE), "inside a map");
        assertThrows(MappingException.class, () -> maps.checkUnmap(0, 2 * PAGE), "nothing there");
        maps.checkUnmap(4 * PAGE, 2 * PAGE);
        maps.removed(4 * PAGE);
        assertEquals(0, maps.count());
        assertThrows(MappingException.class, () -> maps.checkUnmap(4 * PAGE, 2 * PAGE), "twice");
        maps.checkMap(4 * PAGE, 0, 2 * PAGE); // free again
    }
}
