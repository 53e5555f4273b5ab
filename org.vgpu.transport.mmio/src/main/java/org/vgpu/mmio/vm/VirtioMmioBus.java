package org.vgpu.mmio.vm;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

import org.vgpu.mmio.MmioRegisters;
import org.vgpu.mmio.MmioTransport;
import org.vgpu.mmio.SharedMemoryRegion;
import org.vgpu.mmio.bus.IrqLine;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.sys.NativeException;

/**
 * Puts virtio devices on the micro-VM's virtio-mmio bus: one 4 KiB window per device from
 * {@link VmMemoryLayout#MMIO_DEVICES_START} on GSI 16, 17, ..., its interrupt through a KVM irqfd,
 * each queue's QueueNotify bound as a KVM ioeventfd (datamatch = queue index) so kicks reach
 * the device's queue worker without an exit, and a GPU's HOST_VISIBLE shared memory region
 * (id 1) placed above RAM, whose maps are KVM memory slots. Devices are attached before boot.
 */
public final class VirtioMmioBus implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VirtioMmioBus.class.getName());

    static final int GPU_DEVICE_ID = 16;
    static final int SHM_HOST_VISIBLE = 1;
    /** Default HOST_VISIBLE size: what QEMU's virtio-gpu offers with hostmem=1G. */
    public static final long DEFAULT_HOST_VISIBLE_SIZE = 1L << 30;

    /** One device on the bus, for the shell and tests. */
    public record Attached(MmioTransport transport, long base, int gsi, SlotSharedMemoryWindow hostVisible, MicroVm vm) {
        /** Window, interrupt (the transport's status bits and counts, and the IOAPIC pin as KVM holds it), shared memory. */
        public String describe() {
            String where = String.format("mmio 0x%x irq %d, %s (%s)", base, gsi, transport.interruptState(), vm.interruptPin(gsi));
            return hostVisible == null ? where : where + ", " + hostVisible;
        }
    }

    private final MicroVm vm;
    private final long hostVisibleSize;
    private final List<Attached> attached = new ArrayList<>();
    private final List<AutoCloseable> ioEventFds = new ArrayList<>();
    private long nextSharedMemory;

    /** hostVisibleSize: bytes of each GPU's HOST_VISIBLE window (page aligned). */
    public VirtioMmioBus(MicroVm vm, long hostVisibleSize) {
        if (hostVisibleSize <= 0 || hostVisibleSize % VmMemoryLayout.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("host-visible size must be a positive multiple of 4 KiB: " + hostVisibleSize);
        }
        this.vm = vm;
        this.hostVisibleSize = hostVisibleSize;
        this.nextSharedMemory = vm.layout().sharedMemoryStart();
    }

    /** Places device in the next window; the guest finds it in the DSDT at boot. */
    public synchronized Attached attach(VirtioDevice device) throws NativeException {
        int index = attached.size();
        int gsi = MicroVm.FIRST_DEVICE_GSI + index;
        long base = VmMemoryLayout.MMIO_DEVICES_START + index * MmioRegisters.WINDOW_SIZE;
        if (gsi > MicroVm.LAST_DEVICE_GSI || base + MmioRegisters.WINDOW_SIZE > VmMemoryLayout.MMIO_DEVICES_END) {
            throw new IllegalStateException("no free virtio-mmio window for " + device.name() + " (" + index + " devices already)");
        }
        SlotSharedMemoryWindow hostVisible = null;
        List<SharedMemoryRegion> regions = List.of();
        if (device.deviceId() == GPU_DEVICE_ID) {
            hostVisible = new SlotSharedMemoryWindow(SHM_HOST_VISIBLE, nextSharedMemory, hostVisibleSize, new SlotsOf(vm));
            regions = List.of(hostVisible.region());
        }
        IrqLine[] irq = new IrqLine[1];
        // The transport needs its interrupt line before the VM knows the window: forward to it.
        MmioTransport transport = new MmioTransport(device, vm.memory(), () -> irq[0].trigger(), regions);
        try {
            irq[0] = vm.addMmioDevice(base, gsi, transport);
            long notify = base + transport.queueNotifyOffset();
            for (int q = 0; q < device.queueCount(); q++) {
                ioEventFds.add(vm.bindIoEventFd(notify, 4, (long) q, transport.kickFd(q)));
            }
        } catch (NativeException | RuntimeException e) {
            transport.close();
            throw e;
        }
        if (hostVisible != null) {
            nextSharedMemory = align(nextSharedMemory + hostVisibleSize);
        }
        Attached a = new Attached(transport, base, gsi, hostVisible, vm);
        attached.add(a);
        LOG.log(Level.INFO, "virtio-mmio: " + device.name() + " at " + a.describe());
        return a;
    }

    public synchronized List<Attached> attached() {
        return List.copyOf(attached);
    }

    private static long align(long address) {
        long a = VmMemoryLayout.SHARED_MEMORY_ALIGNMENT;
        return (address + a - 1) & -a;
    }

    /** Unbinds the ioeventfds and stops every device; call before closing the VM, with the vCPU stopped. */
    @Override
    public synchronized void close() {
        for (AutoCloseable binding : ioEventFds) {
            try {
                binding.close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "ioeventfd unbind: " + e.getMessage());
            }
        }
        ioEventFds.clear();
        for (Attached a : attached) {
            a.transport().close();
        }
    }

    /** A window's maps as the VM's extra memory slots. */
    private record SlotsOf(MicroVm vm) implements SlotSharedMemoryWindow.MemorySlots {
        @Override
        public void add(long gpa, int fd, long fdOffset, long size) throws NativeException {
            vm.addGuestOnlyMemory(gpa, fd, fdOffset, size);
        }

        @Override
        public boolean remove(long gpa) throws NativeException {
            return vm.removeMemory(gpa);
        }
    }
}
