package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vgpu.mmio.bus.IrqLine;
import org.vgpu.mmio.bus.MmioHandler;
import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * The micro-VM's exit paths with a small hand-assembled 64-bit guest (even this machine's KVM,
 * which cannot run Linux, runs it): an MMIO read and write reach the device window's handler,
 * a write matching an ioeventfd signals it without an exit, a byte from an extra memory slot
 * goes out through the 16550, and the ACPI sleep port ends the VM.
 */
class MicroVmProgramTest {

    static final long WINDOW = VmMemoryLayout.MMIO_DEVICES_START;
    static final long SLOT = 0xe000_0000L; // below 4 GiB: the boot page tables map only that

    /** mov rbx, WINDOW; mov eax, [rbx]; mov [rbx+0x70], eax; mov dword [rbx+0x50], 0;
     *  mov rcx, SLOT; mov al, [rcx]; mov dx, 0x3f8; out dx, al;
     *  mov dx, 0x600; mov al, 0x34 (SLP_EN | SLP_TYP 5); out dx, al; hlt */
    static byte[] program() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x48, (byte) 0xbb}).putLong(WINDOW);
        b.put(new byte[] {(byte) 0x8b, 0x03});
        b.put(new byte[] {(byte) 0x89, 0x43, 0x70});
        b.put(new byte[] {(byte) 0xc7, 0x43, 0x50, 0, 0, 0, 0});
        b.put(new byte[] {0x48, (byte) 0xb9}).putLong(SLOT);
        b.put(new byte[] {(byte) 0x8a, 0x01});
        b.put(new byte[] {0x66, (byte) 0xba, (byte) 0xf8, 0x03, (byte) 0xee});
        b.put(new byte[] {0x66, (byte) 0xba, 0x00, 0x06, (byte) 0xb0, 0x34, (byte) 0xee});
        b.put(new byte[] {(byte) 0xf4, (byte) 0xeb, (byte) 0xfd});
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    record Access(boolean write, long offset, int size, long value) {
    }

    /** The IOAPIC readout the shell shows beside each device's interrupt: KVM's reset state before a guest programs the pins. */
    @Test
    void aDevicesIoapicPinReadsAsKvmHoldsIt() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "no /dev/kvm");
        try (MicroVm vm = MicroVm.create(64 << 20, OutputStream.nullOutputStream())) {
            assertEquals("ioapic pin 17: edge, masked, vector 0x0, remote irr 0, irr 0, delivery idle", vm.interruptPin(17));
            assertEquals("ioapic pin 24: no such pin", vm.interruptPin(24));
        }
    }

    /**
     * vgpu:vm's vCPU readout of a guest that spins without a VM exit: the vCPU is signalled out of
     * KVM_RUN and answers, twice at the same rip (the spin), with RFLAGS.IF as the guest set it and
     * the value it pushed on top of its stack.
     */
    @Test
    void theStateOfASpinningVcpuIsReadBetweenTwoKvmRuns() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "no /dev/kvm");
        for (boolean interruptsOn : new boolean[] {false, true}) {
            try (MicroVm vm = MicroVm.create(64L << 20, OutputStream.nullOutputStream())) {
                assertEquals("not running", vm.vcpuState(100));
                // cli or sti; push 0x12345678 (what a call leaves: a value on the stack); spin: jmp spin
                vm.bootProgram(new byte[] {(byte) (interruptsOn ? 0xfb : 0xfa), 0x68, 0x78, 0x56, 0x34, 0x12, (byte) 0xeb, (byte) 0xfe});
                Thread vcpu = new Thread(vm::run, "test-vcpu");
                vcpu.start();
                try {
                    long spin = VmMemoryLayout.KERNEL_START + 6;
                    String expected = String.format("runnable, rip 0x%x, ", spin);
                    String first = awaitState(vm, expected);
                    assertTrue(first.contains("interrupts " + (interruptsOn ? "on" : "off")), first);
                    assertTrue(first.contains("injecting nothing") && first.contains("exception none"), first);
                    assertTrue(first.contains("irr [], isr []"), first);
                    // The spin's own bytes, read through the guest's page tables: jmp -2.
                    assertTrue(first.contains(String.format("code at rip: gpa 0x%x: eb fe", spin)), first);
                    // The pushed value is the stack's top quadword, read through the page tables too.
                    assertTrue(first.matches("(?s).*\nstack at rsp: gpa 0x[0-9a-f]+: 0000000012345678( [0-9a-f]{16}){7}\n.*"), first);
                    assertTrue(first.matches("(?s).*kvm counters: .*\\bexits \\d+.*"), first);
                    assertTrue(vm.vcpuState(2_000).startsWith(expected), "a second readout at the same spin");
                } finally {
                    vm.stop();
                    vcpu.join(5_000);
                }
                assertFalse(vcpu.isAlive(), "the vCPU stopped");
                assertEquals("not running", vm.vcpuState(100));
            }
        }
    }

    /** The first readout that starts with prefix (the vCPU may still be on cli/sti), within 5 s. */
    private static String awaitState(MicroVm vm, String prefix) throws InterruptedException {
        String state = "";
        for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() - end < 0; Thread.sleep(10)) {
            state = vm.vcpuState(2_000);
            if (state.startsWith(prefix)) {
                return state;
            }
        }
        throw new AssertionError("expected '" + prefix + "...', last readout: " + state);
    }

    @Test
    void mmioIoeventfdMemorySlotSerialAndPowerOff() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "no /dev/kvm");
        List<Access> accesses = new ArrayList<>();
        MmioHandler device = new MmioHandler() {
            @Override
            public long windowSize() {
                return 0x1000;
            }

            @Override
            public long read(long offset, int size) {
                accesses.add(new Access(false, offset, size, 0x74726976L));
                return 0x74726976L; // "virt"
            }

            @Override
            public void write(long offset, int size, long value) {
                accesses.add(new Access(true, offset, size, value));
            }
        };
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (MicroVm vm = MicroVm.create(64L << 20, console); EventFd notify = EventFd.create(true)) {
            IrqLine irq = vm.addMmioDevice(WINDOW, 16, device);
            irq.trigger(); // the irqfd accepts a pulse even before the guest listens
            assertThrows(IllegalArgumentException.class, () -> vm.addMmioDevice(WINDOW + 0x800, 17, device));
            try (AutoCloseable binding = vm.bindIoEventFd(WINDOW + 0x50, 4, 0L, notify)) {
                int fd = memfd(0x10000);
                vm.addMemory(SLOT, fd, 0, 0x10000);
                vm.memory().writeLong(SLOT, 'Z');
                assertThrows(IllegalArgumentException.class,
                        () -> vm.addMemory(SLOT + 0x1000, memfd(0x1000), 0, 0x1000));
                vm.bootProgram(program());
                VmExit exit = vm.run();
                if (exit.kind() == VmExit.Kind.KVM_FAILURE) {
                    throw new AssertionError("KVM here cannot run even the test program: " + exit.detail());
                }
                assertEquals(new VmExit(VmExit.Kind.POWER_OFF, "ACPI S5"), exit);
            }
            assertEquals(List.of(new Access(false, 0, 4, 0x74726976L), new Access(true, 0x70, 4, 0x74726976L)), accesses);
            assertEquals(1, notify.consume());
            assertEquals("Z", console.toString(StandardCharsets.US_ASCII));
            assertEquals(true, vm.removeMemory(SLOT));
            assertEquals(false, vm.removeMemory(SLOT));
        }
    }

    private static int memfd(long size) throws Exception {
        int fd = LinuxNative.check("memfd_create", LinuxNative.memfd_create("test-slot", LinuxNative.MFD_CLOEXEC));
        LinuxNative.check("ftruncate", LinuxNative.ftruncate(fd, size));
        return fd;
    }
}
