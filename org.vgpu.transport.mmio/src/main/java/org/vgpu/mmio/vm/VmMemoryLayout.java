package org.vgpu.mmio.vm;

import java.util.ArrayList;
import java.util.List;

/**
 * Where everything sits in the micro-VM's guest-physical address space (x86_64), the one place
 * for these addresses. Low memory holds the boot structures the way the Linux boot protocol and
 * other small VMMs expect them; RAM runs from 0 up to {@link #LOW_RAM_LIMIT} and continues above
 * 4 GiB, leaving [3 GiB, 4 GiB) to devices: the virtio-mmio windows, the IOAPIC and local APIC,
 * and the pages KVM needs for its real-mode TSS on Intel.
 */
public final class VmMemoryLayout {

    public static final long PAGE_SIZE = 4096;

    /** GDT with the boot protocol's __BOOT_CS (0x10) and __BOOT_DS (0x18). */
    public static final long GDT = 0x500;
    /** An empty IDT: the kernel installs its own before enabling interrupts. */
    public static final long IDT = 0x520;
    /** boot_params, the "zero page". */
    public static final long ZERO_PAGE = 0x7000;
    /** Stack pointer at entry; the kernel switches to its own stack at once. */
    public static final long BOOT_STACK = 0x8ff0;
    /** Identity page tables: PML4, one PDPT, four page directories of 2 MiB pages (4 GiB). */
    public static final long PML4 = 0x9000;
    public static final long PDPT = 0xa000;
    public static final long PAGE_DIRECTORIES = 0xb000;
    public static final int PAGE_DIRECTORY_COUNT = 4;
    public static final long CMDLINE = 0x20000;
    public static final long CMDLINE_MAX = 0x10000;
    /** End of conventional RAM as a PC reports it (start of the EBDA). */
    public static final long LOW_MEMORY_END = 0x9fc00;
    /** ACPI tables: the kernel also scans this range for the RSDP. Reserved in e820. */
    public static final long ACPI_START = 0xe0000;
    public static final long ACPI_END = 0x100000;
    /** The protected-mode kernel of a bzImage is loaded here (boot protocol). */
    public static final long KERNEL_START = 0x100000;
    /** 64-bit entry point offset inside the protected-mode kernel (startup_64). */
    public static final long KERNEL_64BIT_ENTRY_OFFSET = 0x200;

    /** RAM below 4 GiB stops here; the rest goes above 4 GiB. */
    public static final long LOW_RAM_LIMIT = 0xc000_0000L;
    /** virtio-mmio device windows are placed in [MMIO_DEVICES_START, MMIO_DEVICES_END). */
    public static final long MMIO_DEVICES_START = 0xd000_0000L;
    public static final long MMIO_DEVICES_END = 0xe000_0000L;
    /** Pages KVM uses on Intel for a real-mode TSS (3 pages) and an identity-map page table. */
    public static final long KVM_IDENTITY_MAP = 0xfeff_c000L;
    public static final long KVM_TSS = 0xfeff_d000L;
    public static final long IOAPIC = 0xfec0_0000L;
    public static final long LOCAL_APIC = 0xfee0_0000L;
    public static final long HIGH_RAM_START = 1L << 32;
    /** Shared memory windows sit on 1 GiB boundaries above RAM. */
    public static final long SHARED_MEMORY_ALIGNMENT = 1L << 30;

    public static final int E820_RAM = 1;
    public static final int E820_RESERVED = 2;

    /** One e820 map entry. */
    public record E820Entry(long address, long size, int type) {
    }

    private final long ramSize;

    public VmMemoryLayout(long ramSize) {
        if (ramSize < 64L << 20 || ramSize % (2L << 20) != 0) {
            throw new IllegalArgumentException("guest RAM must be a multiple of 2 MiB and at least 64 MiB: " + ramSize);
        }
        this.ramSize = ramSize;
    }

    public long ramSize() {
        return ramSize;
    }

    /** RAM mapped from guest-physical 0. */
    public long lowRamSize() {
        return Math.min(ramSize, LOW_RAM_LIMIT);
    }

    /** RAM mapped from 4 GiB (0 if all RAM fits below {@link #LOW_RAM_LIMIT}). */
    public long highRamSize() {
        return ramSize - lowRamSize();
    }

    /** First guest-physical address after the RAM below 4 GiB. */
    public long lowRamEnd() {
        return lowRamSize();
    }

    /**
     * The e820 map handed to the kernel: conventional memory, the reserved ACPI range, RAM from
     * 1 MiB and RAM above 4 GiB. Everything else (the MMIO windows, APICs) is a hole.
     */
    public List<E820Entry> e820() {
        List<E820Entry> map = new ArrayList<>();
        map.add(new E820Entry(0, LOW_MEMORY_END, E820_RAM));
        map.add(new E820Entry(ACPI_START, ACPI_END - ACPI_START, E820_RESERVED));
        map.add(new E820Entry(KERNEL_START, lowRamEnd() - KERNEL_START, E820_RAM));
        if (highRamSize() > 0) {
            map.add(new E820Entry(HIGH_RAM_START, highRamSize(), E820_RAM));
        }
        return map;
    }

    /**
     * Where device shared memory windows (the GPU's host-visible region) start: the first 1 GiB
     * boundary above all RAM, so guests can use large pages and nothing else lives there.
     */
    public long sharedMemoryStart() {
        long end = HIGH_RAM_START + highRamSize();
        return (end + SHARED_MEMORY_ALIGNMENT - 1) & -SHARED_MEMORY_ALIGNMENT;
    }

    /** Whether [address, address+size) touches guest RAM. */
    public boolean overlapsRam(long address, long size) {
        return overlaps(address, size, 0, lowRamSize())
                || (highRamSize() > 0 && overlaps(address, size, HIGH_RAM_START, highRamSize()));
    }

    static boolean overlaps(long a, long aSize, long b, long bSize) {
        return Long.compareUnsigned(a, b + bSize - 1) <= 0 && Long.compareUnsigned(b, a + aSize - 1) <= 0;
    }
}
