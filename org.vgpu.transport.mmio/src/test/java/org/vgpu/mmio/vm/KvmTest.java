package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.vgpu.virtio.sys.LinuxNative;

/** The KVM request numbers agree with the structure sizes they encode (asm-generic/ioctl.h _IOC). */
class KvmTest {

    private static final int NONE = 0;
    private static final int WRITE = 1;
    private static final int READ = 2;

    private static long ioc(int dir, int nr, int size) {
        return ((long) dir << 30) | ((long) size << 16) | (0xaeL << 8) | nr;
    }

    @Test
    void requestNumbersEncodeDirectionAndStructureSize() {
        assertEquals(ioc(NONE, 0x00, 0), Kvm.GET_API_VERSION);
        assertEquals(ioc(NONE, 0x01, 0), Kvm.CREATE_VM);
        assertEquals(ioc(READ | WRITE, 0x05, Kvm.Cpuid.HEADER_SIZE), Kvm.GET_SUPPORTED_CPUID);
        assertEquals(ioc(NONE, 0x41, 0), Kvm.CREATE_VCPU);
        assertEquals(ioc(WRITE, 0x46, Kvm.MemoryRegion.SIZE), Kvm.SET_USER_MEMORY_REGION);
        assertEquals(ioc(WRITE, 0x48, 8), Kvm.SET_IDENTITY_MAP_ADDR);
        assertEquals(ioc(WRITE, 0x61, Kvm.IrqLevel.SIZE), Kvm.IRQ_LINE);
        assertEquals(ioc(WRITE, 0x76, Kvm.Irqfd.SIZE), Kvm.IRQFD);
        assertEquals(ioc(WRITE, 0x77, Kvm.PitConfig.SIZE), Kvm.CREATE_PIT2);
        assertEquals(ioc(WRITE, 0x79, Kvm.Ioeventfd.SIZE), Kvm.IOEVENTFD);
        assertEquals(ioc(NONE, 0x80, 0), Kvm.RUN);
        assertEquals(ioc(READ, 0x81, Kvm.Regs.SIZE), Kvm.GET_REGS);
        assertEquals(ioc(WRITE, 0x82, Kvm.Regs.SIZE), Kvm.SET_REGS);
        assertEquals(ioc(READ, 0x83, Kvm.Sregs.SIZE), Kvm.GET_SREGS);
        assertEquals(ioc(WRITE, 0x84, Kvm.Sregs.SIZE), Kvm.SET_SREGS);
        assertEquals(ioc(WRITE, 0x89, Kvm.Msrs.HEADER_SIZE), Kvm.SET_MSRS);
        assertEquals(ioc(WRITE, 0x90, Kvm.Cpuid.HEADER_SIZE), Kvm.SET_CPUID2);
    }

    @Test
    void apiVersionIsTwelveWhereKvmExists() throws Exception {
        if (!Files.exists(Path.of(Kvm.DEVICE))) {
            return;
        }
        int fd = LinuxNative.check("open", LinuxNative.open(Kvm.DEVICE, LinuxNative.O_RDWR | LinuxNative.O_CLOEXEC));
        try {
            assertEquals(Kvm.API_VERSION, Kvm.ioctl(fd, Kvm.GET_API_VERSION, 0, "KVM_GET_API_VERSION"));
        } finally {
            LinuxNative.close(fd);
        }
    }
}
