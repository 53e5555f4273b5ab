package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.vgpu.mmio.vm.VmMemoryLayout.E820Entry;

/** The e820 map, boot_params offsets, bzImage parsing and initrd placement (no KVM needed). */
class BootLayoutTest {

    /** A minimal bzImage: 4 setup sectors after the boot sector, header fields as the kernel sets them. */
    static byte[] fakeBzImage(int xloadflags, int initrdAddrMax, int protectedModeBytes) {
        int setup = 5 * 512;
        ByteBuffer b = ByteBuffer.allocate(setup + protectedModeBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1f1, (byte) 4);
        b.putShort(0x1fe, (short) 0xaa55);
        b.put(0x200, (byte) 0xeb).put(0x201, (byte) 0x6a); // jmp: header ends at 0x202 + 0x6a
        b.putInt(0x202, 0x53726448);
        b.putShort(0x206, (short) 0x020f);
        b.put(0x211, (byte) 0x01);
        b.putInt(0x22c, initrdAddrMax);
        b.putShort(0x236, (short) xloadflags);
        b.putInt(0x238, 2047);
        b.putInt(0x260, 0x0380_0000);
        for (int i = setup; i < b.capacity(); i++) {
            b.put(i, (byte) 0x90);
        }
        return b.array();
    }

    @Test
    void e820Of512MiBLeavesTheLegacyHoleAndReservesAcpi() {
        List<E820Entry> map = new VmMemoryLayout(512L << 20).e820();
        assertEquals(List.of(
                new E820Entry(0, 0x9fc00, VmMemoryLayout.E820_RAM),
                new E820Entry(0xe0000, 0x20000, VmMemoryLayout.E820_RESERVED),
                new E820Entry(0x100000, (512L << 20) - 0x100000, VmMemoryLayout.E820_RAM)), map);
    }

    @Test
    void ramAbove3GiBContinuesAbove4GiBAroundTheDeviceHole() {
        VmMemoryLayout layout = new VmMemoryLayout(4L << 30);
        List<E820Entry> map = layout.e820();
        assertEquals(new E820Entry(0x100000, 0xc000_0000L - 0x100000, VmMemoryLayout.E820_RAM), map.get(2));
        assertEquals(new E820Entry(1L << 32, 1L << 30, VmMemoryLayout.E820_RAM), map.get(3));
        for (E820Entry e : map) {
            assertFalse(VmMemoryLayout.overlaps(e.address(), e.size(), VmMemoryLayout.MMIO_DEVICES_START,
                    VmMemoryLayout.MMIO_DEVICES_END - VmMemoryLayout.MMIO_DEVICES_START), e.toString());
            assertFalse(VmMemoryLayout.overlaps(e.address(), e.size(), VmMemoryLayout.IOAPIC, 0x1000), e.toString());
        }
        assertTrue(layout.overlapsRam((4L << 30) + 4096, 4096));
        assertFalse(layout.overlapsRam(VmMemoryLayout.MMIO_DEVICES_START, 4096));
        assertThrows(IllegalArgumentException.class, () -> new VmMemoryLayout((64L << 20) + 4096));
    }

    @Test
    void bootParamsCarryHeaderCommandLineInitrdE820AndRsdp() {
        BzImage kernel = BzImage.of(fakeBzImage(0x1 | 0x2, 0x7fffffff, 4096));
        byte[] header = kernel.setupHeader();
        assertEquals(0x202 + 0x6a - 0x1f1, header.length);
        BootParams params = new BootParams(header)
                .commandLine(VmMemoryLayout.CMDLINE)
                .initrd(0x1_2345_6000L, 0x1000)
                .acpiRsdp(0xe0000)
                .e820(new VmMemoryLayout(512L << 20).e820());
        ByteBuffer p = ByteBuffer.wrap(params.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x53726448, p.getInt(0x202));
        assertEquals((byte) 0xff, p.get(0x210)); // type_of_loader
        assertEquals(0x81, p.get(0x211) & 0xff); // LOADED_HIGH | CAN_USE_HEAP
        assertEquals(0x20000, p.getInt(0x228));
        assertEquals(0, p.getInt(0x0c8));
        assertEquals(0x2345_6000, p.getInt(0x218));
        assertEquals(1, p.getInt(0x0c0));
        assertEquals(0x1000, p.getInt(0x21c));
        assertEquals(0xe0000, p.getLong(0x070));
        assertEquals(3, p.get(0x1e8));
        assertEquals(0x100000, p.getLong(0x2d0 + 2 * 20));
        assertEquals((512L << 20) - 0x100000, p.getLong(0x2d0 + 2 * 20 + 8));
        assertEquals(1, p.getInt(0x2d0 + 2 * 20 + 16));
    }

    @Test
    void bzImageSplitsSetupFromProtectedModeKernel() {
        BzImage kernel = BzImage.of(fakeBzImage(0x1, 0x37ffffff, 8192));
        ByteBuffer pm = kernel.protectedModeKernel();
        assertEquals(8192, pm.remaining());
        assertEquals((byte) 0x90, pm.get(0));
        assertEquals(0x37ffffffL, kernel.initrdAddressMax());
        assertEquals(2047, kernel.commandLineSize());
        assertEquals(-1L, BzImage.of(fakeBzImage(0x3, 0x7fffffff, 4096)).initrdAddressMax());
        assertThrows(IllegalArgumentException.class, () -> BzImage.of(fakeBzImage(0x0, 0x7fffffff, 4096)));
        assertThrows(IllegalArgumentException.class, () -> BzImage.of(new byte[8192]));
    }

    @Test
    void initrdGoesAsHighAsItsLimitAllowsAboveTheKernel() {
        VmMemoryLayout layout = new VmMemoryLayout(1L << 30);
        BzImage low = BzImage.of(fakeBzImage(0x1, 0x37ffffff, 4096));
        assertEquals(0x3800_0000L - 0x3000, LinuxBoot.initrdAddress(layout, low, 0x2345, 0x500_0000));
        BzImage anywhere = BzImage.of(fakeBzImage(0x3, 0x7fffffff, 4096));
        assertEquals((1L << 30) - 0x1000, LinuxBoot.initrdAddress(layout, anywhere, 0x1000, 0x500_0000));
        assertThrows(IllegalArgumentException.class,
                () -> LinuxBoot.initrdAddress(layout, anywhere, 1L << 30, 0x500_0000));
    }

    @Test
    void identityPageTablesMapFourGiBInTwoMiBPages() {
        ByteBuffer t = ByteBuffer.wrap(X86LongMode.identityPageTables(0x9000, 0xa000, 0xb000, 4)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa003, t.getLong(0));
        assertEquals(0xb003, t.getLong(0x1000));
        assertEquals(0xe003, t.getLong(0x1000 + 3 * 8));
        assertEquals(0x83, t.getLong(0x2000));
        assertEquals((4L << 30) - (2 << 20) | 0x83, t.getLong(0x2000 + 4 * 4096 - 8));
        byte[] gdt = X86LongMode.gdt();
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, (byte) 0x9b, (byte) 0xaf, 0},
                java.util.Arrays.copyOfRange(gdt, X86LongMode.BOOT_CS, X86LongMode.BOOT_CS + 8));
    }
}
