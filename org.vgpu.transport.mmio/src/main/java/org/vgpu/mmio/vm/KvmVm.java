package org.vgpu.mmio.vm;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/** A KVM VM fd: memory slots, the in-kernel interrupt controllers and PIT, interrupt and notify fds. */
public final class KvmVm implements AutoCloseable {

    private final int fd;
    private final int vcpuMmapSize;

    KvmVm(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** The platform pieces an x86 guest expects: TSS pages (Intel), IOAPIC + PIC + LAPICs, PIT. */
    public void createPlatform(long tssAddress, long identityMapAddress) throws NativeException {
        Kvm.ioctl(fd, Kvm.SET_TSS_ADDR, tssAddress, "KVM_SET_TSS_ADDR");
        try (Memory addr = new Memory(8)) {
            addr.setLong(0, identityMapAddress);
            Kvm.ioctl(fd, Kvm.SET_IDENTITY_MAP_ADDR, Pointer.nativeValue(addr), "KVM_SET_IDENTITY_MAP_ADDR");
        }
        Kvm.ioctl(fd, Kvm.CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
        try (Memory pit = new Memory(Kvm.PitConfig.SIZE)) {
            pit.clear();
            pit.setInt(Kvm.PitConfig.FLAGS, Kvm.PIT_SPEAKER_DUMMY);
            Kvm.ioctl(fd, Kvm.CREATE_PIT2, Pointer.nativeValue(pit), "KVM_CREATE_PIT2");
        }
    }

    /** Maps host memory at hostAddress as guest-physical [gpa, gpa+size) in slot; size 0 deletes the slot. */
    public void setMemoryRegion(int slot, long gpa, long size, long hostAddress) throws NativeException {
        try (Memory region = new Memory(Kvm.MemoryRegion.SIZE)) {
            region.clear();
            region.setInt(Kvm.MemoryRegion.SLOT, slot);
            region.setInt(Kvm.MemoryRegion.FLAGS, 0);
            region.setLong(Kvm.MemoryRegion.GUEST_PHYS_ADDR, gpa);
            region.setLong(Kvm.MemoryRegion.MEMORY_SIZE, size);
            region.setLong(Kvm.MemoryRegion.USERSPACE_ADDR, hostAddress);
            Kvm.ioctl(fd, Kvm.SET_USER_MEMORY_REGION, Pointer.nativeValue(region), "KVM_SET_USER_MEMORY_REGION");
        }
    }

    /** Drives an interrupt input of the in-kernel PIC/IOAPIC (KVM_IRQ_LINE). */
    public void irqLine(int gsi, boolean high) throws NativeException {
        try (Memory level = new Memory(Kvm.IrqLevel.SIZE)) {
            level.setInt(Kvm.IrqLevel.IRQ, gsi);
            level.setInt(Kvm.IrqLevel.LEVEL, high ? 1 : 0);
            Kvm.ioctl(fd, Kvm.IRQ_LINE, Pointer.nativeValue(level), "KVM_IRQ_LINE");
        }
    }

    static final int IOAPIC_PINS = 24;

    /**
     * The in-kernel IOAPIC's state of pin gsi, as the guest programmed it and KVM keeps it
     * (KVM_GET_IRQCHIP, a VM ioctl: safe while the vCPU runs): trigger mode, mask, remote IRR,
     * the pin's IRR, delivery status and vector. A lost interrupt shows here as a level-triggered
     * pin (an irqfd's pulse is missed while remote IRR is set) or a masked one.
     */
    public String ioapicPin(int gsi) throws NativeException {
        if (gsi < 0 || gsi >= IOAPIC_PINS) {
            return "ioapic pin " + gsi + ": no such pin";
        }
        try (Memory chip = new Memory(Kvm.Irqchip.SIZE)) {
            chip.clear();
            chip.setInt(Kvm.Irqchip.CHIP_ID, Kvm.Irqchip.IOAPIC);
            Kvm.ioctl(fd, Kvm.GET_IRQCHIP, Pointer.nativeValue(chip), "KVM_GET_IRQCHIP");
            long entry = chip.getLong(Kvm.Irqchip.IOAPIC_REDIRECTION + 8L * gsi);
            boolean irr = (chip.getInt(Kvm.Irqchip.IOAPIC_IRR) >>> gsi & 1) != 0;
            return String.format("ioapic pin %d: %s, %s, vector 0x%x, remote irr %d, irr %d, delivery %s", gsi,
                    (entry >>> 15 & 1) != 0 ? "level" : "edge", (entry >>> 16 & 1) != 0 ? "masked" : "unmasked",
                    entry & 0xff, entry >>> 14 & 1, irr ? 1 : 0, (entry >>> 12 & 1) != 0 ? "pending" : "idle");
        }
    }

    /** Makes each signal of eventFd an edge on gsi (KVM_IRQFD), or undoes that. */
    public void irqfd(int eventFd, int gsi, boolean assign) throws NativeException {
        try (Memory irqfd = new Memory(Kvm.Irqfd.SIZE)) {
            irqfd.clear();
            irqfd.setInt(Kvm.Irqfd.FD, eventFd);
            irqfd.setInt(Kvm.Irqfd.GSI, gsi);
            irqfd.setInt(Kvm.Irqfd.FLAGS, assign ? 0 : Kvm.IRQFD_FLAG_DEASSIGN);
            Kvm.ioctl(fd, Kvm.IRQFD, Pointer.nativeValue(irqfd), "KVM_IRQFD");
        }
    }

    /**
     * Makes guest writes of length bytes to MMIO address gpa signal eventFd inside KVM without an
     * exit (KVM_IOEVENTFD); with a datamatch, only writes of that value. assign=false removes it.
     */
    public void ioeventfd(int eventFd, long gpa, int length, Long datamatch, boolean assign) throws NativeException {
        try (Memory io = new Memory(Kvm.Ioeventfd.SIZE)) {
            io.clear();
            io.setLong(Kvm.Ioeventfd.DATAMATCH, datamatch == null ? 0 : datamatch);
            io.setLong(Kvm.Ioeventfd.ADDR, gpa);
            io.setInt(Kvm.Ioeventfd.LEN, length);
            io.setInt(Kvm.Ioeventfd.FD, eventFd);
            io.setInt(Kvm.Ioeventfd.FLAGS, (datamatch != null ? Kvm.IOEVENTFD_FLAG_DATAMATCH : 0)
                    | (assign ? 0 : Kvm.IOEVENTFD_FLAG_DEASSIGN));
            Kvm.ioctl(fd, Kvm.IOEVENTFD, Pointer.nativeValue(io), "KVM_IOEVENTFD");
        }
    }

    public Vcpu createVcpu(int id) throws NativeException {
        int vcpuFd = Kvm.ioctl(fd, Kvm.CREATE_VCPU, id, "KVM_CREATE_VCPU");
        return Vcpu.map(vcpuFd, vcpuMmapSize);
    }

    @Override
    public void close() {
        LinuxNative.closeQuietly(fd);
    }
}
