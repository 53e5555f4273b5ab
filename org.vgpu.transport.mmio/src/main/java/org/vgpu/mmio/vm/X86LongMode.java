package org.vgpu.mmio.vm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The CPU state the 64-bit boot protocol asks for: a GDT with flat __BOOT_CS/__BOOT_DS,
 * identity-mapped page tables (here 4 GiB in 2 MiB pages, enough for the kernel, boot_params,
 * command line and initrd) and long mode enabled. Values from the Intel SDM volume 3.
 */
public final class X86LongMode {

    public static final int BOOT_CS = 0x10;
    public static final int BOOT_DS = 0x18;
    public static final int BOOT_TSS = 0x20;

    /** GDT: null, null, 64-bit code, flat data, TSS (16 bytes in long mode). */
    static final long[] GDT_ENTRIES = {
        0,
        0,
        0x00af_9b00_0000_ffffL, // code: G, L, P, DPL0, S, execute/read accessed
        0x00cf_9300_0000_ffffL, // data: G, D/B, P, DPL0, S, read/write accessed
        0x0000_8b00_0000_0067L, // TSS: P, busy 64-bit TSS, limit 0x67
        0,
    };

    public static final long CR0_PE = 1L << 0;
    public static final long CR0_ET = 1L << 4;
    public static final long CR0_PG = 1L << 31;
    public static final long CR4_PAE = 1L << 5;
    public static final long EFER_LME = 1L << 8;
    public static final long EFER_LMA = 1L << 10;
    public static final long RFLAGS_RESERVED = 0x2;
    /** RFLAGS.IF: maskable interrupts enabled. */
    public static final long RFLAGS_IF = 1L << 9;

    static final long PTE_PRESENT = 0x1;
    static final long PTE_WRITABLE = 0x2;
    static final long PDE_LARGE = 0x80;
    static final long TWO_MIB = 2L << 20;

    private X86LongMode() {
    }

    public static byte[] gdt() {
        ByteBuffer b = ByteBuffer.allocate(GDT_ENTRIES.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long e : GDT_ENTRIES) {
            b.putLong(e);
        }
        return b.array();
    }

    /** PML4, PDPT and page directories laid out from pml4 (each table one page after the other). */
    public static byte[] identityPageTables(long pml4, long pdpt, long pageDirectories, int directoryCount) {
        if (pdpt != pml4 + VmMemoryLayout.PAGE_SIZE || pageDirectories != pdpt + VmMemoryLayout.PAGE_SIZE) {
            throw new IllegalArgumentException("tables must be consecutive pages");
        }
        ByteBuffer b = ByteBuffer.allocate((int) ((2 + directoryCount) * VmMemoryLayout.PAGE_SIZE))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, pdpt | PTE_PRESENT | PTE_WRITABLE);
        for (int d = 0; d < directoryCount; d++) {
            long directory = pageDirectories + d * VmMemoryLayout.PAGE_SIZE;
            b.putLong((int) VmMemoryLayout.PAGE_SIZE + d * 8, directory | PTE_PRESENT | PTE_WRITABLE);
            for (int i = 0; i < 512; i++) {
                long address = ((long) d * 512 + i) * TWO_MIB;
                b.putLong((int) (directory - pml4) + i * 8, address | PTE_PRESENT | PTE_WRITABLE | PDE_LARGE);
            }
        }
        return b.array();
    }
}
