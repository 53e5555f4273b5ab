package org.vgpu.mmio.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.vgpu.mmio.bus.IrqLine;
import org.vgpu.mmio.bus.MmioHandler;
import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

/**
 * An in-process x86_64 KVM micro-VM for one Linux guest: RAM from a sealed memfd (shareable
 * with udmabuf and vhost-user), one vCPU, in-kernel IOAPIC/LAPIC/PIT, a 16550 console on COM1,
 * ACPI power-off, and virtio-mmio device windows described to the guest in the DSDT.
 * Devices, notify eventfds and extra memory slots are added through this class; devices must
 * be added before {@link #boot}, since the DSDT is written then.
 */
public final class MicroVm implements AutoCloseable {

    static final int RAM_SLOT_LOW = 0;
    static final int RAM_SLOT_HIGH = 1;
    static final int FIRST_EXTRA_SLOT = 2;
    /** GSIs the IOAPIC (24 pins) has free for devices: 0-15 are ISA interrupts. */
    public static final int FIRST_DEVICE_GSI = 16;
    public static final int LAST_DEVICE_GSI = 23;

    private record MmioWindow(long base, long size, int gsi, MmioHandler handler, EventFd irqfd) {
    }

    private final KvmSystem kvm;
    private final KvmVm vm;
    private final VmMemoryLayout layout;
    private final GuestMemoryMap memory = new GuestMemoryMap();
    private final AddressSpace addresses = new AddressSpace();
    private final IoPortBus ports = new IoPortBus();
    private final TreeMap<Long, MmioWindow> windows = new TreeMap<>(Long::compareUnsigned);
    private final Map<Long, Integer> extraSlots = new TreeMap<>(Long::compareUnsigned);
    /** Slots the guest sees but devices may not DMA into (shared memory windows): kept here to unmap them. */
    private final Map<Long, MemoryRegion> guestOnly = new TreeMap<>(Long::compareUnsigned);
    private final Serial16550 serial;
    private final Vcpu vcpu;
    private volatile VmExit requestedExit;
    private volatile int vcpuThread; // kernel thread id while run() runs, else 0
    private boolean booted;
    private volatile long exits; // written by the vCPU thread only
    /** A reader waiting for the vCPU's state, answered by the vCPU thread between two KVM_RUNs. */
    private final AtomicReference<CompletableFuture<String>> stateRequest = new AtomicReference<>();

    private MicroVm(KvmSystem kvm, KvmVm vm, VmMemoryLayout layout, OutputStream console) throws NativeException {
        this.kvm = kvm;
        this.vm = vm;
        this.layout = layout;
        vm.createPlatform(VmMemoryLayout.KVM_TSS, VmMemoryLayout.KVM_IDENTITY_MAP);
        addresses.claim("KVM TSS and identity map", VmMemoryLayout.KVM_IDENTITY_MAP, 4 * VmMemoryLayout.PAGE_SIZE);
        addresses.claim("IOAPIC", VmMemoryLayout.IOAPIC, VmMemoryLayout.PAGE_SIZE);
        addresses.claim("local APIC", VmMemoryLayout.LOCAL_APIC, VmMemoryLayout.PAGE_SIZE);
        mapRam();
        serial = new Serial16550(console, high -> irqLine(Serial16550.COM1_IRQ, high));
        ports.add(Serial16550.COM1_PORT, Serial16550.PORT_COUNT, serial);
        ports.add(PowerPorts.SLEEP_PORTS, 2, PowerPorts.acpiSleep(this::requestExit));
        ports.add(PowerPorts.I8042_COMMAND_PORT, 1, PowerPorts.i8042(this::requestExit));
        vcpu = vm.createVcpu(0);
        vcpu.setCpuid(kvm.supportedCpuid(), 0);
    }

    /** Creates the VM with ramSize bytes of RAM; console receives the guest's COM1 output. */
    public static MicroVm create(long ramSize, OutputStream console) throws NativeException {
        VmMemoryLayout layout = new VmMemoryLayout(ramSize);
        KvmSystem kvm = KvmSystem.open();
        KvmVm vm = null;
        try {
            vm = kvm.createVm();
            return new MicroVm(kvm, vm, layout, console);
        } catch (NativeException | RuntimeException e) {
            if (vm != null) {
                vm.close();
            }
            kvm.close();
            throw e;
        }
    }

    /** RAM (and extra memory slots), through the checked accessor devices use. */
    public GuestMemoryMap memory() {
        return memory;
    }

    public VmMemoryLayout layout() {
        return layout;
    }

    /**
     * Adds a virtio-mmio window at guest-physical base (4 KiB aligned) on IOAPIC pin gsi. Guest
     * accesses to it reach handler on the vCPU thread; the returned line raises an edge on gsi
     * through a KVM irqfd and may be triggered from any thread.
     */
    public synchronized IrqLine addMmioDevice(long base, int gsi, MmioHandler handler) throws NativeException {
        if (booted) {
            throw new IllegalStateException("devices must be added before boot (the DSDT lists them)");
        }
        long size = handler.windowSize();
        if (base % VmMemoryLayout.PAGE_SIZE != 0 || size <= 0 || size % VmMemoryLayout.PAGE_SIZE != 0) {
            throw new IllegalArgumentException(String.format("window 0x%x+0x%x is not page aligned", base, size));
        }
        if (Long.compareUnsigned(base + size, VmMemoryLayout.HIGH_RAM_START) > 0) {
            throw new IllegalArgumentException(String.format("window 0x%x+0x%x must lie below 4 GiB (Memory32Fixed)", base, size));
        }
        if (gsi < FIRST_DEVICE_GSI || gsi > LAST_DEVICE_GSI) {
            throw new IllegalArgumentException("gsi " + gsi + " outside " + FIRST_DEVICE_GSI + ".." + LAST_DEVICE_GSI);
        }
        for (MmioWindow w : windows.values()) {
            if (w.gsi() == gsi) {
                throw new IllegalArgumentException("gsi " + gsi + " is taken");
            }
        }
        addresses.claim("virtio-mmio window", base, size);
        EventFd irqfd = EventFd.create(true);
        try {
            vm.irqfd(irqfd.fd(), gsi, true);
        } catch (NativeException e) {
            irqfd.close();
            addresses.release(base);
            throw e;
        }
        windows.put(base, new MmioWindow(base, size, gsi, handler, irqfd));
        return () -> {
            try {
                irqfd.signal();
            } catch (NativeException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /**
     * Lets guest writes of length bytes of value datamatch (any value if null) to gpa signal
     * notify inside KVM, without an exit to this process: the virtio-mmio QueueNotify path.
     * Closing the returned handle removes the binding (notify stays open: the caller owns it).
     */
    public AutoCloseable bindIoEventFd(long gpa, int length, Long datamatch, EventFd notify) throws NativeException {
        vm.ioeventfd(notify.fd(), gpa, length, datamatch, true);
        return () -> vm.ioeventfd(notify.fd(), gpa, length, datamatch, false);
    }

    /**
     * Maps [offset, offset+size) of fd as guest-physical memory at gpa (page aligned, not
     * overlapping RAM, devices or other slots) in a new KVM memory slot, also reachable through
     * {@link #memory()}. Takes ownership of fd.
     */
    public void addMemory(long gpa, int fd, long offset, long size) throws NativeException {
        addSlot(gpa, fd, offset, size, true);
    }

    /**
     * Like {@link #addMemory}, but for the guest only: devices' guest-memory accessor does not reach
     * it (a shared memory window is not a place for virtqueue buffers), and so adding or removing it
     * never waits for the accessor's users, such as a device worker mapping a blob while it serves
     * the very command that asked for it.
     */
    public void addGuestOnlyMemory(long gpa, int fd, long offset, long size) throws NativeException {
        addSlot(gpa, fd, offset, size, false);
    }

    private synchronized void addSlot(long gpa, int fd, long offset, long size, boolean deviceVisible) throws NativeException {
        long page = VmMemoryLayout.PAGE_SIZE;
        if (gpa % page != 0 || offset % page != 0 || size <= 0 || size % page != 0) {
            LinuxNative.closeQuietly(fd);
            throw new IllegalArgumentException(String.format("memory 0x%x+0x%x (fd offset 0x%x) is not page aligned", gpa, size, offset));
        }
        try {
            addresses.claim("memory slot", gpa, size);
        } catch (IllegalArgumentException e) {
            LinuxNative.closeQuietly(fd);
            throw e;
        }
        int slot = FIRST_EXTRA_SLOT;
        while (extraSlots.containsValue(slot)) {
            slot++;
        }
        MemoryRegion region = null;
        try {
            region = MemoryRegion.map(fd, offset, gpa, size, 0);
            vm.setMemoryRegion(slot, gpa, size, region.hostAddress());
        } catch (NativeException | RuntimeException e) {
            addresses.release(gpa);
            if (region != null) {
                region.close();
            }
            throw e;
        }
        if (deviceVisible) {
            memory.addRegion(region);
        } else {
            guestOnly.put(gpa, region);
        }
        extraSlots.put(gpa, slot);
    }

    /** Removes a slot added by {@link #addMemory}; false if there is none at gpa. */
    public synchronized boolean removeMemory(long gpa) throws NativeException {
        Integer slot = extraSlots.remove(gpa);
        if (slot == null) {
            return false;
        }
        vm.setMemoryRegion(slot, gpa, 0, 0);
        MemoryRegion only = guestOnly.remove(gpa);
        if (only != null) {
            only.close();
        } else {
            memory.removeRegion(gpa);
        }
        addresses.release(gpa);
        return true;
    }

    /** Loads kernel, initrd (may be null) and command line, writes the ACPI tables and sets up the vCPU. */
    public synchronized void boot(Path kernel, Path initrd, String cmdline) throws IOException, GuestMemoryException {
        if (booted) {
            throw new IllegalStateException("already booted");
        }
        List<AcpiTables.MmioDevice> devices = new ArrayList<>();
        for (MmioWindow w : windows.values()) {
            devices.add(new AcpiTables.MmioDevice(w.base(), w.size(), w.gsi()));
        }
        AcpiTables acpi = AcpiTables.build(VmMemoryLayout.ACPI_START, 1,
                List.of(new AcpiTables.IsaSerial(Serial16550.COM1_PORT, Serial16550.COM1_IRQ)), devices, PowerPorts.SLEEP_PORTS,
                PowerPorts.SLEEP_PORTS + 1);
        byte[] initrdBytes = initrd == null ? null : Files.readAllBytes(initrd);
        start(LinuxBoot.load(memory, layout, BzImage.read(kernel), initrdBytes, cmdline, acpi));
    }

    /**
     * Instead of Linux: a flat 64-bit program at 1 MiB with the boot GDT and identity page tables
     * (no ACPI, no boot_params). For tests of the exit paths with a guest of known behaviour.
     */
    synchronized void bootProgram(byte[] code) throws GuestMemoryException, NativeException {
        if (booted) {
            throw new IllegalStateException("already booted");
        }
        memory.write(VmMemoryLayout.KERNEL_START, ByteBuffer.wrap(code), 0, code.length);
        start(LinuxBoot.cpuTables(memory, VmMemoryLayout.KERNEL_START, 0));
    }

    private void start(LinuxBoot.Entry entry) throws NativeException {
        vcpu.enterLongMode(entry.gdt(), entry.gdtSize(), entry.idt(), entry.cr3(), entry.rip(), entry.bootParams(),
                entry.stack());
        booted = true;
    }

    /** Runs the vCPU on the calling thread until the guest powers off, resets, KVM fails or {@link #stop} is called. */
    public VmExit run() {
        vcpuThread = LinuxNative.gettid();
        try {
            if (requestedExit != null) {
                return requestedExit; // stopped before it ran
            }
            return loop();
        } finally {
            vcpuThread = 0;
            serial.flush();
        }
    }

    /**
     * Makes {@link #run} return STOPPED soon, from any thread: KVM_RUN returns at once next time
     * (immediate_exit), and a signal the JVM ignores takes the vCPU out of a KVM_RUN in progress.
     */
    public void stop() {
        requestExit(new VmExit(VmExit.Kind.STOPPED, "stopped by the host"));
        vcpu.requestExit();
        int tid = vcpuThread;
        if (tid != 0) {
            LinuxNative.tgkill(tid, LinuxNative.SIGPIPE);
        }
    }

    /** Bytes typed at the console: they arrive in the 16550's receive FIFO (any thread). */
    public void consoleInput(byte[] bytes) {
        serial.receive(bytes);
    }

    /** The IOAPIC's view of a device's interrupt pin (the shell, failure reports); the error if KVM refuses. */
    public String interruptPin(int gsi) {
        try {
            return vm.ioapicPin(gsi);
        } catch (NativeException e) {
            return "ioapic pin " + gsi + ": " + e.getMessage();
        }
    }

    /**
     * The vCPU's state as KVM holds it ({@link Vcpu#describeState}), from any thread: vCPU ioctls
     * wait while KVM_RUN holds the vCPU, so the vCPU thread is signalled out of KVM_RUN (every
     * 50 ms, in case a signal came just before it entered) and answers before it re-enters.
     * A vCPU that does not come out within timeoutMillis is reported as such.
     */
    public String vcpuState(long timeoutMillis) {
        CompletableFuture<String> request = new CompletableFuture<>();
        if (!stateRequest.compareAndSet(null, request)) {
            request = stateRequest.get(); // another reader asked first: share its answer
            if (request == null) {
                return vcpuState(timeoutMillis);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            while (true) {
                int tid = vcpuThread;
                if (tid == 0) {
                    stateRequest.compareAndSet(request, null);
                    return "not running";
                }
                LinuxNative.tgkill(tid, LinuxNative.SIGPIPE);
                try {
                    return request.get(Math.min(50, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))),
                            TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (System.nanoTime() - deadline >= 0) {
                        stateRequest.compareAndSet(request, null);
                        return "did not come out of KVM_RUN within " + timeoutMillis + " ms of being signalled";
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException e) {
            return e.getCause().toString();
        }
    }

    /** Answers a pending {@link #vcpuState} request (on the vCPU thread, outside KVM_RUN). */
    private void answerStateRequest() {
        if (stateRequest.get() != null) {
            CompletableFuture<String> request = stateRequest.getAndSet(null);
            if (request != null) {
                request.complete(vcpu.describeState() + "\ncode at rip: " + codeAtRip() + "\nstack at rsp: " + stackAtRsp()
                        + "\nkvm counters: " + vcpu.statistics());
            }
        }
    }

    /** 16 bytes of guest memory from the vCPU's rip (through its page tables), hex; or why not. */
    private String codeAtRip() {
        return guestVirtual(vcpu.rip(), 16, 1);
    }

    /**
     * 8 quadwords from the vCPU's rsp: after a wild call or jump the return addresses there
     * name the code that made it.
     */
    private String stackAtRsp() {
        return guestVirtual(vcpu.rsp(), 64, 8);
    }

    /**
     * bytes of guest memory from guest virtual address gva, through the vCPU's page tables (each
     * page translated on its own, so a unit may straddle two), hex in units of 1 byte or 8
     * (little-endian quadwords); "not mapped" if gva is not, or where the mapping ends.
     */
    private String guestVirtual(long gva, int bytes, int unit) {
        long gpa = gva == -1 ? -1 : vcpu.translate(gva);
        if (gpa == -1) {
            return "not mapped";
        }
        String start = String.format("gpa 0x%x:", gpa);
        byte[] read = new byte[bytes];
        int n = 0;
        String end = "";
        try {
            for (; n < bytes; n++) {
                if (n > 0 && ((gva + n) & 0xfff) == 0) { // the next page may be anywhere, or nowhere
                    long page = vcpu.translate(gva + n);
                    if (page == -1) {
                        end = " (next page not mapped)";
                        break;
                    }
                    gpa = page - n;
                }
                read[n] = memory.readByte(gpa + n);
            }
        } catch (GuestMemoryException e) {
            end = " (" + e.getMessage() + ")";
        }
        StringBuilder s = new StringBuilder(start);
        for (int u = 0; u + unit <= n; u += unit) {
            s.append(' ');
            for (int i = unit - 1; i >= 0; i--) {
                s.append(String.format("%02x", read[u + i] & 0xff));
            }
        }
        return s.append(end).toString();
    }

    /** Exits to user space handled so far. */
    public long exitCount() {
        return exits;
    }

    private VmExit loop() {
        ByteBuffer run = vcpu.runPage();
        boolean consoleOutput = false;
        while (true) {
            int errno = vcpu.run();
            answerStateRequest();
            if (errno == LinuxNative.EINTR || errno == LinuxNative.EAGAIN) {
                if (requestedExit != null) {
                    return requestedExit;
                }
                continue;
            }
            if (errno != 0) {
                return new VmExit(VmExit.Kind.KVM_FAILURE, "KVM_RUN failed: " + new NativeException("KVM_RUN", errno).getMessage());
            }
            exits++;
            int reason = run.getInt(Kvm.Run.EXIT_REASON);
            switch (reason) {
                case Kvm.EXIT_IO -> {
                    consoleOutput |= handleIo(run);
                }
                case Kvm.EXIT_MMIO -> handleMmio(run);
                case Kvm.EXIT_HLT -> {
                    return new VmExit(VmExit.Kind.POWER_OFF, "the vCPU halted");
                }
                case Kvm.EXIT_SHUTDOWN -> {
                    if (!consoleOutput) {
                        return new VmExit(VmExit.Kind.KVM_FAILURE, String.format(
                                "the guest shut down (triple fault) before any console output, rip 0x%x", vcpu.rip()));
                    }
                    return new VmExit(VmExit.Kind.RESET, String.format("triple fault, rip 0x%x", vcpu.rip()));
                }
                case Kvm.EXIT_SYSTEM_EVENT -> {
                    int type = run.getInt(Kvm.Run.SYSTEM_EVENT_TYPE);
                    return switch (type) {
                        case Kvm.SYSTEM_EVENT_SHUTDOWN -> new VmExit(VmExit.Kind.POWER_OFF, "KVM shutdown event");
                        case Kvm.SYSTEM_EVENT_RESET -> new VmExit(VmExit.Kind.RESET, "KVM reset event");
                        default -> new VmExit(VmExit.Kind.CRASH, "KVM system event " + type);
                    };
                }
                case Kvm.EXIT_FAIL_ENTRY -> {
                    return new VmExit(VmExit.Kind.KVM_FAILURE, String.format("VM entry failed, hardware reason 0x%x",
                            run.getLong(Kvm.Run.FAIL_ENTRY_REASON)));
                }
                case Kvm.EXIT_INTERNAL_ERROR -> {
                    return new VmExit(VmExit.Kind.KVM_FAILURE, String.format("KVM internal error, suberror %d, rip 0x%x",
                            run.getInt(Kvm.Run.INTERNAL_SUBERROR), vcpu.rip()));
                }
                case Kvm.EXIT_INTR -> {
                    // a signal arrived: only the requested exit is of interest
                }
                default -> {
                    return new VmExit(VmExit.Kind.KVM_FAILURE, "unexpected KVM exit reason " + reason);
                }
            }
            if (requestedExit != null) {
                return requestedExit;
            }
        }
    }

    /** Port I/O exit, possibly a rep string of count items. Returns whether it wrote to the console. */
    private boolean handleIo(ByteBuffer run) {
        int port = run.getShort(Kvm.Run.IO_PORT) & 0xffff;
        int size = run.get(Kvm.Run.IO_SIZE);
        int count = run.getInt(Kvm.Run.IO_COUNT);
        int data = (int) run.getLong(Kvm.Run.IO_DATA_OFFSET);
        boolean out = run.get(Kvm.Run.IO_DIRECTION) == Kvm.EXIT_IO_OUT;
        for (int i = 0; i < count; i++, data += size) {
            if (out) {
                int value = switch (size) {
                    case 1 -> run.get(data) & 0xff;
                    case 2 -> run.getShort(data) & 0xffff;
                    default -> run.getInt(data);
                };
                ports.write(port, size, value);
            } else {
                int value = ports.read(port, size);
                switch (size) {
                    case 1 -> run.put(data, (byte) value);
                    case 2 -> run.putShort(data, (short) value);
                    default -> run.putInt(data, value);
                }
            }
        }
        return out && port >= Serial16550.COM1_PORT && port < Serial16550.COM1_PORT + Serial16550.PORT_COUNT;
    }

    private void handleMmio(ByteBuffer run) {
        long address = run.getLong(Kvm.Run.MMIO_PHYS_ADDR);
        int length = run.getInt(Kvm.Run.MMIO_LEN);
        boolean write = run.get(Kvm.Run.MMIO_IS_WRITE) != 0;
        Map.Entry<Long, MmioWindow> e = windows.floorEntry(address);
        MmioWindow w = e == null ? null : e.getValue();
        boolean inside = w != null && Long.compareUnsigned(address - w.base(), w.size()) < 0;
        if (write) {
            long value = 0;
            for (int i = 0; i < length && i < 8; i++) {
                value |= (run.get(Kvm.Run.MMIO_DATA + i) & 0xffL) << (8 * i);
            }
            if (inside) {
                w.handler().write(address - w.base(), length, value);
            }
        } else {
            long value = inside ? w.handler().read(address - w.base(), length) : 0;
            for (int i = 0; i < length && i < 8; i++) {
                run.put(Kvm.Run.MMIO_DATA + i, (byte) (value >>> (8 * i)));
            }
        }
    }

    private synchronized void requestExit(VmExit exit) {
        if (requestedExit == null) {
            requestedExit = exit;
        }
    }

    private void irqLine(int gsi, boolean high) {
        try {
            vm.irqLine(gsi, high);
        } catch (NativeException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Guest RAM: one memfd sealed against shrinking and growing, split around the 32-bit hole. */
    private void mapRam() throws NativeException {
        int fd = LinuxNative.check("memfd_create", LinuxNative.memfd_create("vgpu-microvm-ram",
                LinuxNative.MFD_CLOEXEC | LinuxNative.MFD_ALLOW_SEALING));
        int highFd = -1;
        try {
            LinuxNative.check("ftruncate", LinuxNative.ftruncate(fd, layout.ramSize()));
            LinuxNative.check("fcntl F_ADD_SEALS", LinuxNative.fcntl(fd, LinuxNative.F_ADD_SEALS,
                    LinuxNative.F_SEAL_SHRINK | LinuxNative.F_SEAL_GROW));
            if (layout.highRamSize() > 0) {
                highFd = LinuxNative.check("fcntl F_DUPFD_CLOEXEC", LinuxNative.fcntl(fd, LinuxNative.F_DUPFD_CLOEXEC, 0));
            }
        } catch (NativeException e) {
            LinuxNative.closeQuietly(fd);
            throw e;
        }
        MemoryRegion low = MemoryRegion.map(fd, 0, 0, layout.lowRamSize(), 0);
        memory.addRegion(low);
        addresses.claim("RAM", 0, layout.lowRamSize());
        vm.setMemoryRegion(RAM_SLOT_LOW, 0, layout.lowRamSize(), low.hostAddress());
        if (highFd >= 0) {
            MemoryRegion high = MemoryRegion.map(highFd, layout.lowRamSize(), VmMemoryLayout.HIGH_RAM_START,
                    layout.highRamSize(), 0);
            memory.addRegion(high);
            addresses.claim("RAM above 4 GiB", VmMemoryLayout.HIGH_RAM_START, layout.highRamSize());
            vm.setMemoryRegion(RAM_SLOT_HIGH, VmMemoryLayout.HIGH_RAM_START, layout.highRamSize(), high.hostAddress());
        }
    }

    @Override
    public void close() {
        vcpu.close();
        for (MmioWindow w : windows.values()) {
            w.irqfd().close();
        }
        vm.close();
        kvm.close();
        memory.close();
    }
}
