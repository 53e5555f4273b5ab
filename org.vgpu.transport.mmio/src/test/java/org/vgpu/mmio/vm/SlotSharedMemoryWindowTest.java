package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vgpu.virtio.api.SharedMemoryWindow.MappingException;
import org.vgpu.virtio.sys.LinuxNative;

class SlotSharedMemoryWindowTest {
    static final long BASE = 0x1_4000_0000L;
    static final long PAGE = 4096;

    /** The slots the window asked for: {gpa, size}; each fd handed over is checked and closed. */
    final List<long[]> slots = new ArrayList<>();
    final int fd = LinuxNative.memfd_create("window-test", LinuxNative.MFD_CLOEXEC);
    final SlotSharedMemoryWindow window = new SlotSharedMemoryWindow(1, BASE, 16 * PAGE, new SlotSharedMemoryWindow.MemorySlots() {
        @Override
        public void add(long gpa, int slotFd, long fdOffset, long size) {
            assertTrue(slotFd != fd, "the slot gets its own fd, the device keeps its one");
            LinuxNative.close(slotFd);
            slots.add(new long[] {gpa, size});
        }

        @Override
        public boolean remove(long gpa) {
            return slots.removeIf(s -> s[0] == gpa);
        }
    });

    @AfterEach
    void closeFd() {
        LinuxNative.close(fd);
    }

    @Test
    void mapsBecomeSlotsAtBasePlusOffsetAndUnmapRemovesThem() throws Exception {
        window.map(2 * PAGE, fd, 0, 3 * PAGE, true);
        window.map(8 * PAGE, fd, PAGE, PAGE, true);
        assertEquals(2, slots.size());
        assertEquals(BASE + 2 * PAGE, slots.get(0)[0]);
        assertEquals(3 * PAGE, slots.get(0)[1]);
        window.unmap(2 * PAGE, 3 * PAGE);
        assertEquals(1, slots.size());
        assertEquals(BASE + 8 * PAGE, slots.get(0)[0]);
        assertEquals(1, window.mapCount());
        assertEquals(BASE, window.region().guestBase());
        assertEquals(16 * PAGE, window.region().length());
    }

    @Test
    void refusesOverlapsOutOfWindowUnalignedAndUnknownUnmaps() throws Exception {
        window.map(4 * PAGE, fd, 0, 4 * PAGE, true);
        assertThrows(MappingException.class, () -> window.map(7 * PAGE, fd, 0, 2 * PAGE, true)); // tail overlap
        assertThrows(MappingException.class, () -> window.map(2 * PAGE, fd, 0, 3 * PAGE, true)); // head overlap
        assertThrows(MappingException.class, () -> window.map(5 * PAGE, fd, 0, PAGE, true)); // inside
        assertThrows(MappingException.class, () -> window.map(15 * PAGE, fd, 0, 2 * PAGE, true)); // past the end
        assertThrows(MappingException.class, () -> window.map(-PAGE, fd, 0, PAGE, true));
        assertThrows(MappingException.class, () -> window.map(PAGE + 1, fd, 0, PAGE, true));
        assertThrows(MappingException.class, () -> window.map(0, fd, 0, 100, true));
        assertThrows(MappingException.class, () -> window.map(0, fd, 0, PAGE, false));
        assertThrows(MappingException.class, () -> window.unmap(4 * PAGE, PAGE)); // wrong length
        assertThrows(MappingException.class, () -> window.unmap(0, PAGE)); // nothing there
        assertEquals(1, slots.size());
        window.map(8 * PAGE, fd, 0, 8 * PAGE, true); // right after the first, up to the end
        window.map(0, fd, 0, 4 * PAGE, true);
        assertEquals(3, slots.size());
    }
}
