package org.vgpu.mmio.vm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The micro-VM's ACPI tables (ACPI 6.5 chapter 5): RSDP, XSDT, a hardware-reduced FADT whose
 * sleep registers are I/O ports the VM traps (so S5 ends the VM), a MADT with one local APIC and
 * the IOAPIC, and a DSDT describing each virtio-mmio window as an LNRO0005 device (how Linux
 * finds virtio-mmio devices without command-line or device-tree help) plus the \_S5 package.
 * The tables are laid out back to back from a given guest-physical base address.
 */
public final class AcpiTables {

    /** A virtio-mmio window as the DSDT describes it. */
    public record MmioDevice(long base, long size, int gsi) {
    }

    /**
     * A 16550 on ISA ports. Listed as PNP0501 so Linux maps its interrupt through ACPI: with
     * hardware-reduced ACPI there is no legacy PIC, so ISA IRQs are not premapped and the 8250
     * driver's built-in COM1 entry alone would get no working interrupt.
     */
    public record IsaSerial(int port, int irq) {
    }

    static final int HEADER_SIZE = 36;
    static final int RSDP_SIZE = 36;
    static final int FADT_SIZE = 276;
    static final int FADT_REVISION = 6;
    static final int FADT_MINOR_REVISION = 5;
    static final int FADT_HW_REDUCED_ACPI = 1 << 20;
    /** IAPC_BOOT_ARCH: no VGA, no CMOS RTC; the 8042 bit stays clear (there is none). */
    static final int IAPC_BOOT_ARCH_NO_VGA = 1 << 2;
    static final int IAPC_BOOT_ARCH_NO_CMOS_RTC = 1 << 5;
    static final int GAS_SYSTEM_IO = 1;
    static final int GAS_ACCESS_BYTE = 1;
    static final int MADT_LOCAL_APIC = 0;
    static final int MADT_IO_APIC = 1;
    static final int MADT_ENABLED = 1;
    static final String OEM_ID = "VGPU  ";
    static final String OEM_TABLE_ID = "VGPUMVM ";
    static final String CREATOR_ID = "VGPU";
    /** The SLP_TYP value of \_S5 that the guest writes to the sleep control register. */
    public static final int S5_SLEEP_TYPE = 5;

    private final long base;
    private final byte[] image;
    private final long rsdp;

    private AcpiTables(long base, byte[] image) {
        this.base = base;
        this.image = image;
        this.rsdp = base;
    }

    /**
     * Builds the tables at guest-physical base for cpus vCPUs and the given devices; sleep
     * control and status are single-byte I/O ports.
     */
    public static AcpiTables build(long base, int cpus, List<IsaSerial> serials, List<MmioDevice> devices,
            int sleepControlPort, int sleepStatusPort) {
        byte[] dsdt = dsdt(serials, devices);
        byte[] madt = madt(cpus);
        long xsdtAt = base + 0x40;
        long fadtAt = align(xsdtAt + HEADER_SIZE + 16);
        long madtAt = align(fadtAt + FADT_SIZE);
        long dsdtAt = align(madtAt + madt.length);
        byte[] fadt = fadt(dsdtAt, sleepControlPort, sleepStatusPort);
        byte[] xsdt = xsdt(List.of(fadtAt, madtAt));
        byte[] rsdp = rsdp(xsdtAt);
        byte[] image = new byte[(int) (dsdtAt + dsdt.length - base)];
        System.arraycopy(rsdp, 0, image, 0, rsdp.length);
        System.arraycopy(xsdt, 0, image, (int) (xsdtAt - base), xsdt.length);
        System.arraycopy(fadt, 0, image, (int) (fadtAt - base), fadt.length);
        System.arraycopy(madt, 0, image, (int) (madtAt - base), madt.length);
        System.arraycopy(dsdt, 0, image, (int) (dsdtAt - base), dsdt.length);
        return new AcpiTables(base, image);
    }

    public long base() {
        return base;
    }

    /** Guest-physical address of the RSDP (boot_params.acpi_rsdp_addr). */
    public long rsdpAddress() {
        return rsdp;
    }

    /** All tables as one block to copy to {@link #base()}. */
    public byte[] image() {
        return image.clone();
    }

    // ---- tables ----

    static byte[] rsdp(long xsdtAddress) {
        ByteBuffer b = le(RSDP_SIZE);
        b.put("RSD PTR ".getBytes(StandardCharsets.US_ASCII));
        b.put(8, (byte) 0); // checksum of the first 20 bytes, below
        b.position(9);
        b.put(OEM_ID.getBytes(StandardCharsets.US_ASCII));
        b.put((byte) 2); // revision: ACPI 2.0+ (has the XSDT)
        b.putInt(0); // RsdtAddress: no RSDT
        b.putInt(RSDP_SIZE);
        b.putLong(xsdtAddress);
        byte[] out = b.array();
        out[8] = checksum(out, 0, 20);
        out[32] = checksum(out, 0, RSDP_SIZE);
        return out;
    }

    static byte[] xsdt(List<Long> tables) {
        ByteBuffer b = header("XSDT", HEADER_SIZE + 8 * tables.size(), 1);
        for (long t : tables) {
            b.putLong(t);
        }
        return finish(b);
    }

    static byte[] fadt(long dsdtAddress, int sleepControlPort, int sleepStatusPort) {
        ByteBuffer b = header("FACP", FADT_SIZE, FADT_REVISION);
        b.putShort(109, (short) (IAPC_BOOT_ARCH_NO_VGA | IAPC_BOOT_ARCH_NO_CMOS_RTC));
        b.putInt(112, FADT_HW_REDUCED_ACPI);
        b.put(131, (byte) FADT_MINOR_REVISION);
        b.putLong(140, dsdtAddress); // X_DSDT
        gas(b, 244, GAS_SYSTEM_IO, 8, GAS_ACCESS_BYTE, sleepControlPort); // SLEEP_CONTROL_REG
        gas(b, 256, GAS_SYSTEM_IO, 8, GAS_ACCESS_BYTE, sleepStatusPort); // SLEEP_STATUS_REG
        b.putLong(268, 0x4d56555047L); // hypervisor vendor identity: "GPUVM" (informational)
        return finish(b);
    }

    static byte[] madt(int cpus) {
        int length = HEADER_SIZE + 8 + 8 * cpus + 12;
        ByteBuffer b = header("APIC", length, 5);
        b.putInt((int) VmMemoryLayout.LOCAL_APIC);
        b.putInt(0); // flags: no dual 8259 to disable (hardware-reduced)
        for (int i = 0; i < cpus; i++) {
            b.put((byte) MADT_LOCAL_APIC).put((byte) 8).put((byte) i).put((byte) i).putInt(MADT_ENABLED);
        }
        b.put((byte) MADT_IO_APIC).put((byte) 12).put((byte) 0 /* id */).put((byte) 0);
        b.putInt((int) VmMemoryLayout.IOAPIC).putInt(0 /* GSI base */);
        return finish(b);
    }

    static byte[] dsdt(List<IsaSerial> serials, List<MmioDevice> devices) {
        List<byte[]> sb = new ArrayList<>();
        for (int i = 0; i < serials.size(); i++) {
            IsaSerial s = serials.get(i);
            sb.add(Aml.device("COM" + (i + 1),
                    Aml.name("_HID", Aml.eisaId("PNP0501")),
                    Aml.name("_UID", Aml.integer(i + 1)),
                    Aml.name("_CRS", Aml.resourceTemplate(
                            Aml.io(s.port(), s.port(), 1, 8),
                            Aml.irqNoFlags(s.irq())))));
        }
        for (int i = 0; i < devices.size(); i++) {
            MmioDevice d = devices.get(i);
            sb.add(Aml.device(String.format("V%03X", i),
                    Aml.name("_HID", Aml.string("LNRO0005")),
                    Aml.name("_UID", Aml.integer(i)),
                    Aml.name("_CRS", Aml.resourceTemplate(
                            Aml.memory32Fixed(true, d.base(), d.size()),
                            Aml.interrupt(true, false, false, d.gsi())))));
        }
        byte[] body = Aml.concat(
                Aml.scope("\\_SB_", sb.toArray(byte[][]::new)),
                Aml.name("_S5_", Aml.pkg(Aml.integer(S5_SLEEP_TYPE), Aml.integer(0))));
        ByteBuffer b = header("DSDT", HEADER_SIZE + body.length, 2); // revision 2: 64-bit integers
        b.put(body);
        return finish(b);
    }

    // ---- helpers ----

    private static ByteBuffer header(String signature, int length, int revision) {
        ByteBuffer b = le(length);
        b.put(signature.getBytes(StandardCharsets.US_ASCII));
        b.putInt(length);
        b.put((byte) revision);
        b.put((byte) 0); // checksum, set by finish
        b.put(OEM_ID.getBytes(StandardCharsets.US_ASCII));
        b.put(OEM_TABLE_ID.getBytes(StandardCharsets.US_ASCII));
        b.putInt(1); // OEM revision
        b.put(CREATOR_ID.getBytes(StandardCharsets.US_ASCII));
        b.putInt(1); // creator revision
        return b;
    }

    private static byte[] finish(ByteBuffer b) {
        byte[] out = b.array();
        out[9] = checksum(out, 0, out.length);
        return out;
    }

    /** Generic Address Structure (12 bytes). */
    private static void gas(ByteBuffer b, int at, int space, int bitWidth, int accessSize, long address) {
        b.put(at, (byte) space).put(at + 1, (byte) bitWidth).put(at + 2, (byte) 0).put(at + 3, (byte) accessSize);
        b.putLong(at + 4, address);
    }

    /** The byte that makes bytes [from, from+length) sum to 0 mod 256 (with that byte as 0 before). */
    static byte checksum(byte[] bytes, int from, int length) {
        int sum = 0;
        for (int i = from; i < from + length; i++) {
            sum += bytes[i];
        }
        return (byte) -sum;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long align(long address) {
        return (address + 15) & ~15L;
    }
}
