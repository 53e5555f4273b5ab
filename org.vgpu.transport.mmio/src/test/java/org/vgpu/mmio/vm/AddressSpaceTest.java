package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AddressSpaceTest {

    @Test
    void overlappingClaimsAreRefusedAndReleasedRangesReused() {
        AddressSpace space = new AddressSpace();
        space.claim("RAM", 0, 0x2000_0000L);
        space.claim("slot", 0x1_0000_0000L, 0x10_0000);
        assertThrows(IllegalArgumentException.class, () -> space.claim("x", 0x1fff_f000L, 0x2000));
        assertThrows(IllegalArgumentException.class, () -> space.claim("x", 0x1_000f_f000L, 0x1000));
        assertThrows(IllegalArgumentException.class, () -> space.claim("x", 0xffff_ffff_ffff_f000L, 0x2000));
        space.claim("adjacent", 0x2000_0000L, 0x1000);
        assertEquals("slot", space.find(0x1_0000_0fffL).owner());
        assertNull(space.find(0x1_0010_0000L));
        assertTrue(space.release(0x1_0000_0000L));
        space.claim("again", 0x1_0000_0000L, 0x1000);
    }
}
