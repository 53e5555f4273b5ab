package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** AML encodings compared with what the ACPI specification (and iasl) produce for the same ASL. */
class AmlTest {

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void integersUseTheShortestEncoding() {
        assertArrayEquals(bytes(0x00), Aml.integer(0));
        assertArrayEquals(bytes(0x01), Aml.integer(1));
        assertArrayEquals(bytes(0xff), Aml.integer(-1));
        assertArrayEquals(bytes(0x0a, 0x05), Aml.integer(5));
        assertArrayEquals(bytes(0x0b, 0x34, 0x12), Aml.integer(0x1234));
        assertArrayEquals(bytes(0x0c, 0x00, 0x00, 0x00, 0xd0), Aml.integer(0xd0000000L));
        assertArrayEquals(bytes(0x0e, 0, 0, 0, 0, 1, 0, 0, 0), Aml.integer(1L << 32));
    }

    @Test
    void nameWithString() {
        // Name (_HID, "LNRO0005")
        assertArrayEquals(bytes(0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00),
                Aml.name("_HID", Aml.string("LNRO0005")));
    }

    @Test
    void namePathsArePaddedAndPrefixed() {
        assertArrayEquals(bytes('\\', '_', 'S', 'B', '_'), Aml.nameString("\\_SB"));
        assertArrayEquals(bytes(0x2e, '_', 'S', 'B', '_', 'V', '0', '0', '0'), Aml.nameString("_SB.V000"));
        assertArrayEquals(bytes('\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'S', '0', '0', '_'),
                Aml.nameString("\\_SB.PCI0.S00"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("lower"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("TOOLONG"));
    }

    @Test
    void packageOfS5() {
        // Name (_S5, Package () { 5, 0 })
        assertArrayEquals(bytes(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00),
                Aml.name("_S5", Aml.pkg(Aml.integer(5), Aml.integer(0))));
    }

    @Test
    void pkgLengthGrowsToMoreBytes() {
        assertArrayEquals(bytes(0x3f), Aml.pkgLength(62));
        // 63 body bytes + 2 length bytes = 65 = 0x41: lead 0x40 | 0x1, then 0x41 >> 4
        assertArrayEquals(bytes(0x41, 0x04), Aml.pkgLength(63));
        // 0x1000 + 3 = 0x1003 needs a third byte only above 0xfff
        assertArrayEquals(bytes(0x83, 0x00, 0x01), Aml.pkgLength(0x1000));
        assertArrayEquals(bytes(0x4e, 0xff), Aml.pkgLength(0xffe - 2));
    }

    @Test
    void emptyScopeAndDevice() {
        // Scope (\_SB) {}
        assertArrayEquals(bytes(0x10, 0x06, '\\', '_', 'S', 'B', '_'), Aml.scope("\\_SB"));
        // Device (V000) {}
        assertArrayEquals(bytes(0x5b, 0x82, 0x05, 'V', '0', '0', '0'), Aml.device("V000"));
    }

    @Test
    void virtioMmioResourceTemplate() {
        // ResourceTemplate () { Memory32Fixed (ReadWrite, 0xD0000000, 0x00000200)
        //                       Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { 16 } }
        byte[] expected = bytes(0x11, 0x1a, 0x0a, 0x17,
                0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xd0, 0x00, 0x02, 0x00, 0x00,
                0x89, 0x06, 0x00, 0x03, 0x01, 0x10, 0x00, 0x00, 0x00,
                0x79, 0x00);
        assertArrayEquals(expected, Aml.resourceTemplate(
                Aml.memory32Fixed(true, 0xd0000000L, 0x200), Aml.interrupt(true, false, false, 16)));
    }

    @Test
    void levelSharedActiveLowInterrupt() {
        assertArrayEquals(bytes(0x89, 0x0a, 0x00, 0x0d, 0x02, 0x05, 0, 0, 0, 0x06, 0, 0, 0),
                Aml.interrupt(false, true, true, 5, 6));
    }

    @Test
    void isaSerialResources() {
        // Name (_HID, EisaId ("PNP0501")): DWordConst 0x0105D041
        assertArrayEquals(bytes(0x0c, 0x41, 0xd0, 0x05, 0x01), Aml.eisaId("PNP0501"));
        // IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
        assertArrayEquals(bytes(0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08), Aml.io(0x3f8, 0x3f8, 1, 8));
        // IRQNoFlags () { 4 }
        assertArrayEquals(bytes(0x22, 0x10, 0x00), Aml.irqNoFlags(4));
    }
}
