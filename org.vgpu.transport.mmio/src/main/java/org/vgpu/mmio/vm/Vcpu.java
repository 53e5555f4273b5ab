package org.vgpu.mmio.vm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * One KVM vCPU: its fd, its shared kvm_run page, register setup for the 64-bit boot protocol,
 * and KVM_RUN. The exit fields are read straight from kvm_run by the VM's exit loop.
 */
public final class Vcpu implements AutoCloseable {

    /** CPUID.1:ECX bit 31, "running under a hypervisor": lets the kernel look for KVM's leaves. */
    static final int CPUID_1_ECX_HYPERVISOR = 1 << 31;
    static final int CPUID_FEATURES = 0x1; // EBX[31:24]: initial APIC ID
    static final int CPUID_TOPOLOGY = 0xb; // EDX: x2APIC ID
    static final int CPUID_TOPOLOGY_V2 = 0x1f; // EDX: x2APIC ID
    static final int CPUID_AMD_EXTENDED_APIC_ID = 0x8000001e; // EAX: extended APIC ID

    private final int fd;
    private final long runAddress;
    private final int runSize;
    private final ByteBuffer run;

    private Vcpu(int fd, long runAddress, int runSize) {
        this.fd = fd;
        this.runAddress = runAddress;
        this.runSize = runSize;
        this.run = new Pointer(runAddress).getByteBuffer(0, runSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    static Vcpu map(int fd, int mmapSize) throws NativeException {
        long addr = LinuxNative.mmap(0, mmapSize, LinuxNative.PROT_READ | LinuxNative.PROT_WRITE,
                LinuxNative.MAP_SHARED, fd, 0);
        if (addr == LinuxNative.MAP_FAILED) {
            int errno = LinuxNative.errno();
            LinuxNative.close(fd);
            throw new NativeException("mmap kvm_run", errno);
        }
        return new Vcpu(fd, addr, mmapSize);
    }

    /**
     * Gives the vCPU the CPUID KVM supports, marked as running under a hypervisor, with the
     * APIC ID fields set to apicId (KVM reports the host CPU's own).
     */
    public void setCpuid(Memory supported, int apicId) throws NativeException {
        int n = supported.getInt(Kvm.Cpuid.NENT);
        for (int i = 0; i < n; i++) {
            long e = Kvm.Cpuid.HEADER_SIZE + (long) i * Kvm.Cpuid.ENTRY_SIZE;
            switch (supported.getInt(e + Kvm.Cpuid.FUNCTION)) {
                case CPUID_FEATURES -> {
                    supported.setInt(e + Kvm.Cpuid.ECX, supported.getInt(e + Kvm.Cpuid.ECX) | CPUID_1_ECX_HYPERVISOR);
                    supported.setInt(e + Kvm.Cpuid.EBX, (supported.getInt(e + Kvm.Cpuid.EBX) & 0x00ffffff) | (apicId << 24));
                }
                case CPUID_TOPOLOGY, CPUID_TOPOLOGY_V2 -> supported.setInt(e + Kvm.Cpuid.EDX, apicId);
                case CPUID_AMD_EXTENDED_APIC_ID -> supported.setInt(e + Kvm.Cpuid.EAX, apicId);
                default -> {
                }
            }
        }
        Kvm.ioctl(fd, Kvm.SET_CPUID2, Pointer.nativeValue(supported), "KVM_SET_CPUID2");
    }

    /**
     * Puts the vCPU in 64-bit mode as the boot protocol wants it at startup_64: paging on with
     * cr3, flat __BOOT_CS/__BOOT_DS from the GDT at gdt, interrupts off, RSI = boot_params.
     */
    public void enterLongMode(long gdt, int gdtSize, long idt, long cr3, long entry, long bootParams, long stack)
            throws NativeException {
        try (Memory sregs = new Memory(Kvm.Sregs.SIZE); Memory regs = new Memory(Kvm.Regs.SIZE)) {
            Kvm.ioctl(fd, Kvm.GET_SREGS, Pointer.nativeValue(sregs), "KVM_GET_SREGS");
            segment(sregs, Kvm.Sregs.CS, X86LongMode.BOOT_CS, 0xb, 1, 0);
            for (int s : new int[] {Kvm.Sregs.DS, Kvm.Sregs.ES, Kvm.Sregs.FS, Kvm.Sregs.GS, Kvm.Sregs.SS}) {
                segment(sregs, s, X86LongMode.BOOT_DS, 0x3, 0, 1);
            }
            // TR: a busy 64-bit TSS (VM entry checks it even though the kernel loads its own).
            sregs.setLong(Kvm.Sregs.TR + Kvm.Segment.BASE, 0);
            sregs.setInt(Kvm.Sregs.TR + Kvm.Segment.LIMIT, 0x67);
            sregs.setShort(Kvm.Sregs.TR + Kvm.Segment.SELECTOR, (short) X86LongMode.BOOT_TSS);
            sregs.setByte(Kvm.Sregs.TR + Kvm.Segment.TYPE, (byte) 0xb);
            sregs.setByte(Kvm.Sregs.TR + Kvm.Segment.PRESENT, (byte) 1);
            sregs.setByte(Kvm.Sregs.TR + Kvm.Segment.S, (byte) 0);
            sregs.setByte(Kvm.Sregs.TR + Kvm.Segment.G, (byte) 0);
            sregs.setByte(Kvm.Sregs.TR + Kvm.Segment.UNUSABLE, (byte) 0);
            sregs.setLong(Kvm.Sregs.GDT + Kvm.Dtable.BASE, gdt);
            sregs.setShort(Kvm.Sregs.GDT + Kvm.Dtable.LIMIT, (short) (gdtSize - 1));
            sregs.setLong(Kvm.Sregs.IDT + Kvm.Dtable.BASE, idt);
            sregs.setShort(Kvm.Sregs.IDT + Kvm.Dtable.LIMIT, (short) 7);
            sregs.setLong(Kvm.Sregs.CR0, X86LongMode.CR0_PE | X86LongMode.CR0_ET | X86LongMode.CR0_PG);
            sregs.setLong(Kvm.Sregs.CR3, cr3);
            sregs.setLong(Kvm.Sregs.CR4, X86LongMode.CR4_PAE);
            sregs.setLong(Kvm.Sregs.EFER, X86LongMode.EFER_LME | X86LongMode.EFER_LMA);
            Kvm.ioctl(fd, Kvm.SET_SREGS, Pointer.nativeValue(sregs), "KVM_SET_SREGS");

            regs.clear();
            regs.setLong(Kvm.Regs.RFLAGS, X86LongMode.RFLAGS_RESERVED);
            regs.setLong(Kvm.Regs.RIP, entry);
            regs.setLong(Kvm.Regs.RSI, bootParams);
            regs.setLong(Kvm.Regs.RSP, stack);
            regs.setLong(Kvm.Regs.RBP, stack);
            Kvm.ioctl(fd, Kvm.SET_REGS, Pointer.nativeValue(regs), "KVM_SET_REGS");
        }
    }

    private static void segment(Memory sregs, int at, int selector, int type, int longMode, int db) {
        sregs.setLong(at + Kvm.Segment.BASE, 0);
        sregs.setInt(at + Kvm.Segment.LIMIT, 0xffffffff);
        sregs.setShort(at + Kvm.Segment.SELECTOR, (short) selector);
        sregs.setByte(at + Kvm.Segment.TYPE, (byte) type);
        sregs.setByte(at + Kvm.Segment.PRESENT, (byte) 1);
        sregs.setByte(at + Kvm.Segment.DPL, (byte) 0);
        sregs.setByte(at + Kvm.Segment.DB, (byte) db);
        sregs.setByte(at + Kvm.Segment.S, (byte) 1);
        sregs.setByte(at + Kvm.Segment.L, (byte) longMode);
        sregs.setByte(at + Kvm.Segment.G, (byte) 1);
        sregs.setByte(at + Kvm.Segment.AVL, (byte) 0);
        sregs.setByte(at + Kvm.Segment.UNUSABLE, (byte) 0);
    }

    /** The guest's instruction pointer (for failure reports), -1 if KVM does not give it. */
    public long rip() {
        return register(Kvm.Regs.RIP);
    }

    /** The guest's stack pointer, -1 if KVM does not give it. */
    public long rsp() {
        return register(Kvm.Regs.RSP);
    }

    private long register(int offset) {
        try (Memory regs = new Memory(Kvm.Regs.SIZE)) {
            return LinuxNative.ioctl(fd, Kvm.GET_REGS, Pointer.nativeValue(regs)) < 0 ? -1 : regs.getLong(offset);
        }
    }

    /**
     * What decides whether the vCPU takes an interrupt, read from KVM between two KVM_RUNs (so on
     * the vCPU thread): running or halted, where, RFLAGS.IF and the interrupt shadow, the event
     * KVM is injecting (an exception with its error code and payload), CR2, and the local APIC's
     * priority and pending (IRR) and in-service (ISR) vectors. An IRR vector above PPR with IF
     * set and nothing injected is an interrupt the guest should be taking; IF clear for good is a
     * guest that has interrupts off; an exception injected again and again is a vCPU that never
     * gets past its delivery.
     */
    public String describeState() {
        try (Memory regs = new Memory(Kvm.Regs.SIZE); Memory sregs = new Memory(Kvm.Sregs.SIZE);
                Memory events = new Memory(Kvm.VcpuEvents.SIZE); Memory lapic = new Memory(Kvm.Lapic.SIZE);
                Memory mpState = new Memory(4)) {
            Kvm.ioctl(fd, Kvm.GET_REGS, Pointer.nativeValue(regs), "KVM_GET_REGS");
            Kvm.ioctl(fd, Kvm.GET_SREGS, Pointer.nativeValue(sregs), "KVM_GET_SREGS");
            Kvm.ioctl(fd, Kvm.GET_VCPU_EVENTS, Pointer.nativeValue(events), "KVM_GET_VCPU_EVENTS");
            Kvm.ioctl(fd, Kvm.GET_LAPIC, Pointer.nativeValue(lapic), "KVM_GET_LAPIC");
            Kvm.ioctl(fd, Kvm.GET_MP_STATE, Pointer.nativeValue(mpState), "KVM_GET_MP_STATE");
            int mp = mpState.getInt(0);
            long rflags = regs.getLong(Kvm.Regs.RFLAGS);
            String injecting = events.getByte(Kvm.VcpuEvents.INTERRUPT_INJECTED) != 0
                    ? String.format("vector 0x%x", events.getByte(Kvm.VcpuEvents.INTERRUPT_NR) & 0xff) : "nothing";
            return String.format("%s, rip 0x%x, rsp 0x%x, interrupts %s (rflags 0x%x), shadow %d, injecting %s, nmi pending %d masked %d,"
                    + " exception %s, cr2 0x%x; lapic %s, tpr 0x%x, ppr 0x%x, irr %s, isr %s, timer lvt 0x%x count %d",
                    mp == Kvm.MP_STATE_RUNNABLE ? "runnable" : mp == Kvm.MP_STATE_HALTED ? "halted" : "mp state " + mp,
                    regs.getLong(Kvm.Regs.RIP), regs.getLong(Kvm.Regs.RSP), (rflags & X86LongMode.RFLAGS_IF) != 0 ? "on" : "off", rflags,
                    events.getByte(Kvm.VcpuEvents.INTERRUPT_SHADOW), injecting,
                    events.getByte(Kvm.VcpuEvents.NMI_PENDING), events.getByte(Kvm.VcpuEvents.NMI_MASKED),
                    exception(events), sregs.getLong(Kvm.Sregs.CR2),
                    (lapic.getInt(Kvm.Lapic.SVR) & Kvm.Lapic.SVR_ENABLED) != 0 ? "enabled" : "disabled",
                    lapic.getInt(Kvm.Lapic.TPR), lapic.getInt(Kvm.Lapic.PPR), vectors(lapic, Kvm.Lapic.IRR),
                    vectors(lapic, Kvm.Lapic.ISR), lapic.getInt(Kvm.Lapic.LVT_TIMER), lapic.getInt(Kvm.Lapic.TIMER_CURRENT) & 0xffffffffL);
        } catch (NativeException e) {
            return e.getMessage();
        }
    }

    /** "none", or "injected|pending vector N, error code E, payload P". */
    private static String exception(Memory events) {
        boolean injected = events.getByte(Kvm.VcpuEvents.EXCEPTION_INJECTED) != 0;
        boolean pending = events.getByte(Kvm.VcpuEvents.EXCEPTION_PENDING) != 0;
        if (!injected && !pending) {
            return "none";
        }
        StringBuilder s = new StringBuilder(injected ? "injected" : "pending").append(" vector ")
                .append(events.getByte(Kvm.VcpuEvents.EXCEPTION_NR) & 0xff);
        if (events.getByte(Kvm.VcpuEvents.EXCEPTION_HAS_ERROR_CODE) != 0) {
            s.append(String.format(", error code 0x%x", events.getInt(Kvm.VcpuEvents.EXCEPTION_ERROR_CODE)));
        }
        if (events.getByte(Kvm.VcpuEvents.EXCEPTION_HAS_PAYLOAD) != 0) {
            s.append(String.format(", payload 0x%x", events.getLong(Kvm.VcpuEvents.EXCEPTION_PAYLOAD)));
        }
        return s.toString();
    }

    /** The guest physical address of a guest virtual one through the vCPU's page tables (KVM_TRANSLATE), -1 if unmapped. */
    public long translate(long gva) {
        try (Memory t = new Memory(Kvm.Translation.SIZE)) {
            t.clear();
            t.setLong(Kvm.Translation.LINEAR_ADDRESS, gva);
            if (LinuxNative.ioctl(fd, Kvm.TRANSLATE, Pointer.nativeValue(t)) < 0 || t.getByte(Kvm.Translation.VALID) == 0) {
                return -1;
            }
            return t.getLong(Kvm.Translation.PHYSICAL_ADDRESS);
        }
    }

    /**
     * KVM's counters for this vCPU that are not zero (KVM_GET_STATS_FD), as "exits 123, halt_exits 4, ...":
     * read twice, what grows tells what the vCPU is doing inside KVM (exits no user space sees).
     */
    public String statistics() {
        int statsFd = LinuxNative.ioctl(fd, Kvm.GET_STATS_FD, 0);
        if (statsFd < 0) {
            return "no statistics: " + new NativeException("KVM_GET_STATS_FD", LinuxNative.errno()).getMessage();
        }
        try (Memory buffer = new Memory(1 << 16)) {
            long n = LinuxNative.read(statsFd, Pointer.nativeValue(buffer), buffer.size());
            if (n < Kvm.Stats.DATA_OFFSET + 4) {
                return "no statistics: short read";
            }
            int nameSize = buffer.getInt(Kvm.Stats.NAME_SIZE);
            int count = buffer.getInt(Kvm.Stats.NUM_DESC);
            long descriptors = buffer.getInt(Kvm.Stats.DESC_OFFSET) & 0xffffffffL;
            long data = buffer.getInt(Kvm.Stats.DATA_OFFSET) & 0xffffffffL;
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < count; i++) {
                long d = descriptors + (long) i * (Kvm.Stats.DESCRIPTOR_SIZE + nameSize);
                if (d + Kvm.Stats.DESCRIPTOR_SIZE + nameSize > n) {
                    break;
                }
                int type = buffer.getInt(d + Kvm.Stats.DESC_FLAGS) & Kvm.Stats.TYPE_MASK;
                int size = buffer.getShort(d + Kvm.Stats.DESC_SIZE) & 0xffff;
                long at = data + (buffer.getInt(d + Kvm.Stats.DESC_OFFSET_IN_DATA) & 0xffffffffL);
                if (size != 1 || type > Kvm.Stats.TYPE_PEAK || at + 8 > n) {
                    continue; // histograms
                }
                long value = buffer.getLong(at);
                if (value != 0) {
                    s.append(s.length() == 0 ? "" : ", ").append(buffer.getString(d + Kvm.Stats.DESC_NAME, "US-ASCII"))
                            .append(' ').append(value);
                }
            }
            return s.toString();
        } finally {
            LinuxNative.closeQuietly(statsFd);
        }
    }

    /** The vectors set in a 256-bit APIC register (8 x u32, 16 bytes apart), as [0x22, 0xec]. */
    static String vectors(Memory lapic, int register) {
        StringBuilder s = new StringBuilder("[");
        for (int word = 0; word < 8; word++) {
            int bits = lapic.getInt(register + 16L * word);
            for (int bit = 0; bit < 32; bit++) {
                if ((bits >>> bit & 1) != 0) {
                    s.append(s.length() > 1 ? ", " : "").append(String.format("0x%x", word * 32 + bit));
                }
            }
        }
        return s.append(']').toString();
    }

    /**
     * Runs the vCPU until it exits to user space. Returns 0, or an errno when KVM_RUN failed
     * (EINTR when a signal or {@link #requestExit()} interrupted it).
     */
    public int run() {
        int r = LinuxNative.ioctl(fd, Kvm.RUN, 0);
        return r < 0 ? LinuxNative.errno() : 0;
    }

    /** Makes the next KVM_RUN return at once (the caller also signals the vCPU thread). */
    public void requestExit() {
        run.put(Kvm.Run.IMMEDIATE_EXIT, (byte) 1);
    }

    /** kvm_run, little endian: exit reason and the per-exit fields at Kvm.Run offsets. */
    public ByteBuffer runPage() {
        return run;
    }

    public int exitReason() {
        return run.getInt(Kvm.Run.EXIT_REASON);
    }

    @Override
    public void close() {
        LinuxNative.munmap(runAddress, runSize);
        LinuxNative.closeQuietly(fd);
    }
}
