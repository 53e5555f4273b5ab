package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.mmio.MmioRegisters;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * The bus on a real KVM VM with a small hand-assembled guest (this machine's KVM runs it): a GPU
 * gets window 0xd0000000 on GSI 16 and a HOST_VISIBLE region above RAM described in its SHM
 * registers, a map there is guest memory at base + offset, the guest's QueueNotify write reaches
 * the queue's kick eventfd through the ioeventfd; and {@link MicroVm#stop} ends a spinning guest.
 */
class VirtioMmioBusTest {
    static final long WINDOW = VmMemoryLayout.MMIO_DEVICES_START;

    /** mov rbx, WINDOW; mov dword [rbx+0x50], 1 (QueueNotify, queue 1); mov dx, 0x600; mov al, 0x34; out dx, al; hlt */
    static byte[] notifyQueueOneThenPowerOff() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x48, (byte) 0xbb}).putLong(WINDOW);
        b.put(new byte[] {(byte) 0xc7, 0x43, 0x50, 1, 0, 0, 0});
        b.put(new byte[] {0x66, (byte) 0xba, 0x00, 0x06, (byte) 0xb0, 0x34, (byte) 0xee});
        b.put(new byte[] {(byte) 0xf4});
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    @Test
    void gpuWindowHostVisibleRegionAndIoeventfdKick() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "no /dev/kvm");
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        GpuDevice gpu = new GpuDevice(new GpuSettings("gpu0", 1, 1280, 800, 1 << 20), selector);
        int fd = LinuxNative.memfd_create("blob", LinuxNative.MFD_CLOEXEC);
        try (MicroVm vm = MicroVm.create(64L << 20, new ByteArrayOutputStream());
                VirtioMmioBus bus = new VirtioMmioBus(vm, 1L << 30)) {
            VirtioMmioBus.Attached a = bus.attach(gpu);
            assertEquals(WINDOW, a.base());
            assertEquals(16, a.gsi());
            long base = a.hostVisible().guestBase();
            assertEquals(VmMemoryLayout.HIGH_RAM_START, base, "first 1 GiB boundary above 64 MiB of RAM (none above 4 GiB)");

            a.transport().write(MmioRegisters.SHM_SEL, 4, 1);
            assertEquals(1L << 30, a.transport().read(MmioRegisters.SHM_LEN_LOW, 4) | a.transport().read(MmioRegisters.SHM_LEN_LOW + 4, 4) << 32);
            assertEquals(base, a.transport().read(MmioRegisters.SHM_BASE_LOW, 4) | a.transport().read(MmioRegisters.SHM_BASE_LOW + 4, 4) << 32);

            LinuxNative.check("ftruncate", LinuxNative.ftruncate(fd, 8192));
            long host = LinuxNative.mmap(0, 8192, LinuxNative.PROT_READ | LinuxNative.PROT_WRITE, LinuxNative.MAP_SHARED, fd, 0);
            new com.sun.jna.Pointer(host).setInt(4096 + 8, 0x5eed1234);
            // A device maps while it serves MAP_BLOB, holding a lease on guest memory: that must not wait for itself.
            try (var lease = vm.memory().lease()) {
                a.hostVisible().map(0x20_0000, fd, 0, 8192, true);
                assertFalse(vm.memory().isValid(base + 0x20_0000, 4), "the window is the guest's, not DMA memory for devices");
                assertThrows(IllegalArgumentException.class, () -> vm.addMemory(base + 0x20_0000, LinuxNative.memfd_create("x", 0), 0, 4096),
                        "the slot is there: nothing else may overlap it");
                a.hostVisible().unmap(0x20_0000, 8192);
            }
            LinuxNative.munmap(host, 8192);

            vm.bootProgram(notifyQueueOneThenPowerOff());
            VmExit exit = vm.run();
            assertEquals(VmExit.Kind.POWER_OFF, exit.kind(), exit.toString());
            assertEquals(1, a.transport().kickFd(1).consume(), "the QueueNotify write signalled queue 1's kick eventfd");
            assertEquals(0, a.transport().kickFd(0).consume(), "datamatch: queue 0 saw nothing");
        } finally {
            LinuxNative.close(fd);
        }
    }

    @Test
    void stopEndsASpinningGuest() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "no /dev/kvm");
        try (MicroVm vm = MicroVm.create(64L << 20, new ByteArrayOutputStream())) {
            vm.bootProgram(new byte[] {(byte) 0xeb, (byte) 0xfe}); // jmp $
            AtomicReference<VmExit> exit = new AtomicReference<>();
            Thread vcpu = new Thread(() -> exit.set(vm.run()));
            vcpu.start();
            Thread.sleep(300);
            assertNull(exit.get(), "the guest spins");
            vm.stop();
            vcpu.join(5_000);
            assertFalse(vcpu.isAlive(), "stop() took the vCPU out of KVM_RUN");
            assertEquals(VmExit.Kind.STOPPED, exit.get().kind());
        }
    }
}
