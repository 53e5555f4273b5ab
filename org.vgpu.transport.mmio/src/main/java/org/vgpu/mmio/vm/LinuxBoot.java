package org.vgpu.mmio.vm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/**
 * Lays a Linux guest into RAM for the 64-bit boot protocol: protected-mode kernel at 1 MiB,
 * command line, initrd as high as its limit allows, ACPI tables, boot_params, GDT and identity
 * page tables. Returns where the vCPU must start.
 */
final class LinuxBoot {

    /** Where the relocatable kernel decompresses itself (CONFIG_PHYSICAL_START of distribution kernels). */
    static final long KERNEL_RUN_ADDRESS = 0x100_0000;

    record Entry(long rip, long bootParams, long stack, long cr3, long gdt, int gdtSize, long idt) {
    }

    private LinuxBoot() {
    }

    static Entry load(GuestMemory memory, VmMemoryLayout layout, BzImage kernel, byte[] initrd, String cmdline,
            AcpiTables acpi) throws GuestMemoryException {
        ByteBuffer pm = kernel.protectedModeKernel();
        long kernelEnd = Math.max(VmMemoryLayout.KERNEL_START + pm.remaining(), KERNEL_RUN_ADDRESS + kernel.initSize());
        if (kernelEnd > layout.lowRamEnd()) {
            throw new IllegalArgumentException("not enough RAM for the kernel: it needs up to 0x" + Long.toHexString(kernelEnd));
        }
        memory.write(VmMemoryLayout.KERNEL_START, pm, pm.position(), pm.remaining());

        byte[] line = cmdline.getBytes(StandardCharsets.US_ASCII);
        if (line.length > kernel.commandLineSize() || line.length >= VmMemoryLayout.CMDLINE_MAX) {
            throw new IllegalArgumentException("command line longer than " + kernel.commandLineSize() + " bytes");
        }
        write(memory, VmMemoryLayout.CMDLINE, line);
        write(memory, VmMemoryLayout.CMDLINE + line.length, new byte[1]);

        BootParams params = new BootParams(kernel.setupHeader())
                .commandLine(VmMemoryLayout.CMDLINE)
                .e820(layout.e820())
                .acpiRsdp(acpi.rsdpAddress());
        if (initrd != null) {
            long address = initrdAddress(layout, kernel, initrd.length, kernelEnd);
            write(memory, address, initrd);
            params.initrd(address, initrd.length);
        }
        byte[] tables = acpi.image();
        if (acpi.base() < VmMemoryLayout.ACPI_START || acpi.base() + tables.length > VmMemoryLayout.ACPI_END) {
            throw new IllegalArgumentException("ACPI tables do not fit their reserved range");
        }
        write(memory, acpi.base(), tables);
        write(memory, VmMemoryLayout.ZERO_PAGE, params.bytes());

        return cpuTables(memory, VmMemoryLayout.KERNEL_START + VmMemoryLayout.KERNEL_64BIT_ENTRY_OFFSET,
                VmMemoryLayout.ZERO_PAGE);
    }

    /** Writes the GDT, an empty IDT and the identity page tables; the vCPU then starts at rip with RSI = rsi. */
    static Entry cpuTables(GuestMemory memory, long rip, long rsi) throws GuestMemoryException {
        byte[] gdt = X86LongMode.gdt();
        write(memory, VmMemoryLayout.GDT, gdt);
        write(memory, VmMemoryLayout.IDT, new byte[8]);
        write(memory, VmMemoryLayout.PML4, X86LongMode.identityPageTables(VmMemoryLayout.PML4, VmMemoryLayout.PDPT,
                VmMemoryLayout.PAGE_DIRECTORIES, VmMemoryLayout.PAGE_DIRECTORY_COUNT));
        return new Entry(rip, rsi, VmMemoryLayout.BOOT_STACK, VmMemoryLayout.PML4, VmMemoryLayout.GDT, gdt.length,
                VmMemoryLayout.IDT);
    }

    /** The highest page-aligned address below the initrd limit and the end of low RAM, above the kernel. */
    static long initrdAddress(VmMemoryLayout layout, BzImage kernel, long size, long kernelEnd) {
        long top = layout.lowRamEnd();
        long max = kernel.initrdAddressMax();
        if (Long.compareUnsigned(max, top - 1) < 0) {
            top = max + 1;
        }
        long address = (top - size) & ~(VmMemoryLayout.PAGE_SIZE - 1);
        if (address < kernelEnd) {
            throw new IllegalArgumentException("not enough RAM below 0x" + Long.toHexString(top) + " for a "
                    + size + "-byte initrd above the kernel");
        }
        return address;
    }

    private static void write(GuestMemory memory, long gpa, byte[] bytes) throws GuestMemoryException {
        memory.write(gpa, ByteBuffer.wrap(bytes), 0, bytes.length);
    }
}
