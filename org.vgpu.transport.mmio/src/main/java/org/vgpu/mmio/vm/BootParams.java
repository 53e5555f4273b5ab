package org.vgpu.mmio.vm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The boot_params "zero page" the 64-bit boot protocol hands the kernel in RSI: the bzImage's
 * setup header plus what the loader fills in (command line, initrd, e820 map, RSDP address).
 * Offsets from arch/x86/include/uapi/asm/bootparam.h.
 */
public final class BootParams {

    public static final int SIZE = 4096;

    static final int ACPI_RSDP_ADDR = 0x070;
    static final int EXT_RAMDISK_IMAGE = 0x0c0;
    static final int EXT_RAMDISK_SIZE = 0x0c4;
    static final int EXT_CMD_LINE_PTR = 0x0c8;
    static final int E820_ENTRIES = 0x1e8;
    static final int VID_MODE = 0x1fa;
    static final int TYPE_OF_LOADER = 0x210;
    static final int LOADFLAGS = 0x211;
    static final int CODE32_START = 0x214;
    static final int RAMDISK_IMAGE = 0x218;
    static final int RAMDISK_SIZE = 0x21c;
    static final int HEAP_END_PTR = 0x224;
    static final int CMD_LINE_PTR = 0x228;
    static final int E820_TABLE = 0x2d0;
    static final int E820_ENTRY_SIZE = 20;
    static final int E820_MAX_ENTRIES = 128;

    static final int LOADER_UNDEFINED = 0xff;
    static final int LOADED_HIGH = 0x01;
    static final int CAN_USE_HEAP = 0x80;
    static final int VIDEO_MODE_NORMAL = 0xffff;

    private final ByteBuffer page = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);

    public BootParams(byte[] setupHeader) {
        page.put(BzImage.SETUP_SECTS, setupHeader);
        page.put(TYPE_OF_LOADER, (byte) LOADER_UNDEFINED);
        page.put(LOADFLAGS, (byte) (page.get(LOADFLAGS) | LOADED_HIGH | CAN_USE_HEAP));
        page.putShort(VID_MODE, (short) VIDEO_MODE_NORMAL);
        page.putShort(HEAP_END_PTR, (short) 0xfe00);
        page.putInt(CODE32_START, (int) VmMemoryLayout.KERNEL_START);
    }

    public BootParams commandLine(long address) {
        page.putInt(CMD_LINE_PTR, (int) address);
        page.putInt(EXT_CMD_LINE_PTR, (int) (address >>> 32));
        return this;
    }

    public BootParams initrd(long address, long size) {
        page.putInt(RAMDISK_IMAGE, (int) address);
        page.putInt(EXT_RAMDISK_IMAGE, (int) (address >>> 32));
        page.putInt(RAMDISK_SIZE, (int) size);
        page.putInt(EXT_RAMDISK_SIZE, (int) (size >>> 32));
        return this;
    }

    public BootParams acpiRsdp(long address) {
        page.putLong(ACPI_RSDP_ADDR, address);
        return this;
    }

    public BootParams e820(List<VmMemoryLayout.E820Entry> entries) {
        if (entries.size() > E820_MAX_ENTRIES) {
            throw new IllegalArgumentException("too many e820 entries: " + entries.size());
        }
        page.put(E820_ENTRIES, (byte) entries.size());
        int at = E820_TABLE;
        for (VmMemoryLayout.E820Entry e : entries) {
            page.putLong(at, e.address());
            page.putLong(at + 8, e.size());
            page.putInt(at + 16, e.type());
            at += E820_ENTRY_SIZE;
        }
        return this;
    }

    /** The finished page (a copy). */
    public byte[] bytes() {
        return page.array().clone();
    }
}
