package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The table block as the kernel walks it: RSDP -> XSDT -> FADT/MADT, FADT -> DSDT, checksums all 0. */
class AcpiTablesTest {

    private static final long BASE = VmMemoryLayout.ACPI_START;

    private final AcpiTables tables = AcpiTables.build(BASE, 1,
            List.of(new AcpiTables.IsaSerial(0x3f8, 4)),
            List.of(new AcpiTables.MmioDevice(0xd0000000L, 0x1000, 16), new AcpiTables.MmioDevice(0xd0001000L, 0x1000, 17)),
            0x600, 0x601);
    private final ByteBuffer image = ByteBuffer.wrap(tables.image()).order(ByteOrder.LITTLE_ENDIAN);

    private int at(long gpa) {
        return (int) (gpa - BASE);
    }

    private String signature(long gpa) {
        byte[] sig = new byte[4];
        image.get(at(gpa), sig);
        return new String(sig, StandardCharsets.US_ASCII);
    }

    private static int sum(ByteBuffer b, int from, int length) {
        int s = 0;
        for (int i = from; i < from + length; i++) {
            s += b.get(i);
        }
        return s & 0xff;
    }

    @Test
    void rsdpPointsToTheXsdtWithBothChecksums() {
        assertEquals(BASE, tables.rsdpAddress());
        byte[] sig = new byte[8];
        image.get(0, sig);
        assertEquals("RSD PTR ", new String(sig, StandardCharsets.US_ASCII));
        assertEquals(2, image.get(15));
        assertEquals(36, image.getInt(20));
        assertEquals(0, sum(image, 0, 20));
        assertEquals(0, sum(image, 0, 36));
        assertEquals("XSDT", signature(image.getLong(24)));
    }

    @Test
    void everyTableSumsToZero() {
        long xsdt = image.getLong(24);
        List<Long> all = new ArrayList<>(List.of(xsdt));
        int entries = (image.getInt(at(xsdt) + 4) - 36) / 8;
        assertEquals(2, entries);
        for (int i = 0; i < entries; i++) {
            all.add(image.getLong(at(xsdt) + 36 + 8 * i));
        }
        long fadt = all.get(1);
        assertEquals("FACP", signature(fadt));
        all.add(image.getLong(at(fadt) + 140));
        List<String> seen = new ArrayList<>();
        for (long table : all) {
            int length = image.getInt(at(table) + 4);
            assertEquals(0, sum(image, at(table), length), signature(table) + " checksum");
            seen.add(signature(table));
        }
        assertEquals(List.of("XSDT", "FACP", "APIC", "DSDT"), seen);
    }

    @Test
    void fadtIsHardwareReducedWithTrappedSleepPorts() {
        int fadt = at(image.getLong(at(image.getLong(24)) + 36));
        assertEquals(276, image.getInt(fadt + 4));
        assertEquals(6, image.get(fadt + 8));
        assertEquals(1 << 20, image.getInt(fadt + 112) & (1 << 20));
        // SLEEP_CONTROL_REG and SLEEP_STATUS_REG: SystemIO, 8 bits, byte access
        assertEquals(1, image.get(fadt + 244));
        assertEquals(8, image.get(fadt + 245));
        assertEquals(0x600, image.getLong(fadt + 248));
        assertEquals(1, image.get(fadt + 256));
        assertEquals(0x601, image.getLong(fadt + 260));
    }

    @Test
    void madtHasOneLocalApicAndTheIoApic() {
        int madt = at(image.getLong(at(image.getLong(24)) + 44));
        assertEquals((int) VmMemoryLayout.LOCAL_APIC, image.getInt(madt + 36));
        int p = madt + 44;
        assertEquals(0, image.get(p)); // local APIC
        assertEquals(8, image.get(p + 1));
        assertEquals(1, image.getInt(p + 4)); // enabled
        p += 8;
        assertEquals(1, image.get(p)); // IOAPIC
        assertEquals(12, image.get(p + 1));
        assertEquals((int) VmMemoryLayout.IOAPIC, image.getInt(p + 4));
        assertEquals(0, image.getInt(p + 8));
        assertEquals(madt + image.getInt(madt + 4), p + 12);
    }

    @Test
    void dsdtListsTheVirtioMmioDevicesAndS5() {
        int fadt = at(image.getLong(at(image.getLong(24)) + 36));
        int dsdt = at(image.getLong(fadt + 140));
        byte[] body = new byte[image.getInt(dsdt + 4) - 36];
        image.get(dsdt + 36, body);
        byte[] device1 = Aml.device("V001",
                Aml.name("_HID", Aml.string("LNRO0005")),
                Aml.name("_UID", Aml.integer(1)),
                Aml.name("_CRS", Aml.resourceTemplate(Aml.memory32Fixed(true, 0xd0001000L, 0x1000),
                        Aml.interrupt(true, false, false, 17))));
        assertTrue(indexOf(body, device1) > 0, "V001 device");
        assertTrue(indexOf(body, Aml.name("_S5", Aml.pkg(Aml.integer(5), Aml.integer(0)))) > 0, "_S5_");
        assertTrue(indexOf(body, Aml.eisaId("PNP0501")) > 0, "COM1");
        assertEquals(0x10, body[0]); // everything under Scope (\_SB) first
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
