package org.vgpu.mmio.vm;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

/**
 * The KVM API of Linux on x86_64 (include/uapi/linux/kvm.h, arch/x86/include/uapi/asm/kvm.h):
 * ioctl request numbers, capability and exit codes, and the byte offsets of the structures the
 * ioctls read and write. Callers lay structures out in native memory with these offsets and
 * call {@link LinuxNative#ioctl}; {@link #ioctl} adds errno checking with EINTR retry.
 * The numbers were checked against the C headers with offsetof/sizeof. Private to this bundle:
 * only the micro-VM uses KVM; the one libc binding stays {@link LinuxNative} in org.vgpu.core.
 */
public final class Kvm {

    public static final String DEVICE = "/dev/kvm";
    /** The only API version there has ever been. */
    public static final int API_VERSION = 12;

    // ---- ioctls on /dev/kvm ----
    public static final long GET_API_VERSION = 0xae00L;
    public static final long CREATE_VM = 0xae01L;
    public static final long CHECK_EXTENSION = 0xae03L;
    public static final long GET_VCPU_MMAP_SIZE = 0xae04L;
    /** _IOWR: struct kvm_cpuid2 header followed by nent entries. */
    public static final long GET_SUPPORTED_CPUID = 0xc008ae05L;

    // ---- ioctls on a VM fd ----
    public static final long CREATE_VCPU = 0xae41L;
    public static final long SET_USER_MEMORY_REGION = 0x4020ae46L;
    public static final long SET_TSS_ADDR = 0xae47L;
    public static final long SET_IDENTITY_MAP_ADDR = 0x4008ae48L;
    public static final long CREATE_IRQCHIP = 0xae60L;
    public static final long IRQ_LINE = 0x4008ae61L;
    public static final long GET_IRQCHIP = 0xc208ae62L;
    public static final long IRQFD = 0x4020ae76L;
    public static final long CREATE_PIT2 = 0x4040ae77L;
    public static final long IOEVENTFD = 0x4040ae79L;

    // ---- ioctls on a vCPU fd ----
    public static final long RUN = 0xae80L;
    public static final long GET_REGS = 0x8090ae81L;
    public static final long SET_REGS = 0x4090ae82L;
    public static final long GET_SREGS = 0x8138ae83L;
    public static final long SET_SREGS = 0x4138ae84L;
    public static final long SET_MSRS = 0x4008ae89L;
    public static final long SET_CPUID2 = 0x4008ae90L;
    /** _IOR: struct kvm_lapic_state, the local APIC's 1 KiB register page. */
    public static final long GET_LAPIC = 0x8400ae8eL;
    /** _IOR: u32 mp_state. */
    public static final long GET_MP_STATE = 0x8004ae98L;
    /** _IOR: struct kvm_vcpu_events. */
    public static final long GET_VCPU_EVENTS = 0x8040ae9fL;
    /** _IOWR: struct kvm_translation, a guest virtual address through the vCPU's page tables. */
    public static final long TRANSLATE = 0xc018ae85L;
    /** _IO: a new fd whose contents are the vCPU's binary statistics (struct kvm_stats_header ...). */
    public static final long GET_STATS_FD = 0xaeceL;

    // ---- capabilities (KVM_CHECK_EXTENSION) ----
    public static final int CAP_IRQCHIP = 0;
    public static final int CAP_USER_MEMORY = 3;
    public static final int CAP_SET_TSS_ADDR = 4;
    public static final int CAP_EXT_CPUID = 7;
    public static final int CAP_NR_MEMSLOTS = 10;
    public static final int CAP_IRQFD = 32;
    public static final int CAP_PIT2 = 33;
    public static final int CAP_IOEVENTFD = 36;
    public static final int CAP_IMMEDIATE_EXIT = 136;

    // ---- exit reasons (kvm_run.exit_reason) ----
    public static final int EXIT_UNKNOWN = 0;
    public static final int EXIT_EXCEPTION = 1;
    public static final int EXIT_IO = 2;
    public static final int EXIT_HLT = 5;
    public static final int EXIT_MMIO = 6;
    public static final int EXIT_SHUTDOWN = 8;
    public static final int EXIT_FAIL_ENTRY = 9;
    public static final int EXIT_INTR = 10;
    public static final int EXIT_INTERNAL_ERROR = 17;
    public static final int EXIT_SYSTEM_EVENT = 24;

    public static final int EXIT_IO_IN = 0;
    public static final int EXIT_IO_OUT = 1;

    public static final int SYSTEM_EVENT_SHUTDOWN = 1;
    public static final int SYSTEM_EVENT_RESET = 2;
    public static final int SYSTEM_EVENT_CRASH = 3;

    // ---- flags ----
    public static final int MEM_LOG_DIRTY_PAGES = 0x1;
    public static final int MEM_READONLY = 0x2;
    public static final int IRQFD_FLAG_DEASSIGN = 0x1;
    public static final int IOEVENTFD_FLAG_DATAMATCH = 0x1;
    public static final int IOEVENTFD_FLAG_PIO = 0x2;
    public static final int IOEVENTFD_FLAG_DEASSIGN = 0x4;
    public static final int PIT_SPEAKER_DUMMY = 0x1;

    /** struct kvm_run, the page(s) mmap'ed from a vCPU fd. */
    public static final class Run {
        public static final int IMMEDIATE_EXIT = 1; // u8
        public static final int EXIT_REASON = 8; // u32
        public static final int IO_DIRECTION = 32; // u8
        public static final int IO_SIZE = 33; // u8
        public static final int IO_PORT = 34; // u16
        public static final int IO_COUNT = 36; // u32
        public static final int IO_DATA_OFFSET = 40; // u64, from the start of kvm_run
        public static final int MMIO_PHYS_ADDR = 32; // u64
        public static final int MMIO_DATA = 40; // u8[8]
        public static final int MMIO_LEN = 48; // u32
        public static final int MMIO_IS_WRITE = 52; // u8
        public static final int FAIL_ENTRY_REASON = 32; // u64
        public static final int FAIL_ENTRY_CPU = 40; // u32
        public static final int INTERNAL_SUBERROR = 32; // u32
        public static final int INTERNAL_NDATA = 36; // u32
        public static final int INTERNAL_DATA = 40; // u64[16]
        public static final int SYSTEM_EVENT_TYPE = 32; // u32

        private Run() {
        }
    }

    /** struct kvm_regs: 18 u64 in this order. */
    public static final class Regs {
        public static final int SIZE = 144;
        public static final int RAX = 0, RBX = 8, RCX = 16, RDX = 24, RSI = 32, RDI = 40, RSP = 48, RBP = 56;
        public static final int RIP = 128;
        public static final int RFLAGS = 136;

        private Regs() {
        }
    }

    /** struct kvm_sregs: eight kvm_segment, two kvm_dtable, control registers, interrupt bitmap. */
    public static final class Sregs {
        public static final int SIZE = 312;
        public static final int CS = 0, DS = 24, ES = 48, FS = 72, GS = 96, SS = 120, TR = 144, LDT = 168;
        public static final int GDT = 192;
        public static final int IDT = 208;
        public static final int CR0 = 224, CR2 = 232, CR3 = 240, CR4 = 248, CR8 = 256;
        public static final int EFER = 264;
        public static final int APIC_BASE = 272;

        private Sregs() {
        }
    }

    /** struct kvm_segment (24 bytes), at an offset inside kvm_sregs. */
    public static final class Segment {
        public static final int BASE = 0; // u64
        public static final int LIMIT = 8; // u32
        public static final int SELECTOR = 12; // u16
        public static final int TYPE = 14, PRESENT = 15, DPL = 16, DB = 17, S = 18, L = 19, G = 20, AVL = 21,
                UNUSABLE = 22; // u8 each

        private Segment() {
        }
    }

    /** struct kvm_dtable: base u64, limit u16, padding. */
    public static final class Dtable {
        public static final int BASE = 0;
        public static final int LIMIT = 8;

        private Dtable() {
        }
    }

    /** struct kvm_cpuid2 (nent, padding) followed by struct kvm_cpuid_entry2[nent]. */
    public static final class Cpuid {
        public static final int HEADER_SIZE = 8;
        public static final int NENT = 0;
        public static final int ENTRY_SIZE = 40;
        public static final int FUNCTION = 0, INDEX = 4, FLAGS = 8, EAX = 12, EBX = 16, ECX = 20, EDX = 24;

        private Cpuid() {
        }
    }

    /** struct kvm_userspace_memory_region. */
    public static final class MemoryRegion {
        public static final int SIZE = 32;
        public static final int SLOT = 0, FLAGS = 4, GUEST_PHYS_ADDR = 8, MEMORY_SIZE = 16, USERSPACE_ADDR = 24;

        private MemoryRegion() {
        }
    }

    /** struct kvm_irqfd. */
    public static final class Irqfd {
        public static final int SIZE = 32;
        public static final int FD = 0, GSI = 4, FLAGS = 8, RESAMPLEFD = 12;

        private Irqfd() {
        }
    }

    /** struct kvm_ioeventfd. */
    public static final class Ioeventfd {
        public static final int SIZE = 64;
        public static final int DATAMATCH = 0, ADDR = 8, LEN = 16, FD = 20, FLAGS = 24;

        private Ioeventfd() {
        }
    }

    /** struct kvm_irqchip (chip_id, pad, 512-byte union); for the IOAPIC: kvm_ioapic_state at CHIP. */
    public static final class Irqchip {
        public static final int SIZE = 520;
        public static final int CHIP_ID = 0, CHIP = 8;
        public static final int IOAPIC = 2;
        /** In kvm_ioapic_state: the pins' IRR, then 24 redirection entries of 8 bytes. */
        public static final int IOAPIC_IRR = CHIP + 16, IOAPIC_REDIRECTION = CHIP + 24;

        private Irqchip() {
        }
    }

    /** struct kvm_irq_level: irq u32, level u32. */
    public static final class IrqLevel {
        public static final int SIZE = 8;
        public static final int IRQ = 0, LEVEL = 4;

        private IrqLevel() {
        }
    }

    /** struct kvm_pit_config: flags u32 and padding. */
    public static final class PitConfig {
        public static final int SIZE = 64;
        public static final int FLAGS = 0;

        private PitConfig() {
        }
    }

    /** struct kvm_lapic_state: the APIC register page, registers at their MMIO offsets (ISR and IRR: 8 x u32, 16 bytes apart). */
    public static final class Lapic {
        public static final int SIZE = 0x400;
        public static final int TPR = 0x80, PPR = 0xa0, SVR = 0xf0, ISR = 0x100, IRR = 0x200, LVT_TIMER = 0x320,
                TIMER_CURRENT = 0x390;
        public static final int SVR_ENABLED = 1 << 8;

        private Lapic() {
        }
    }

    /** kvm_mp_state values. */
    public static final int MP_STATE_RUNNABLE = 0, MP_STATE_HALTED = 3;

    /** struct kvm_vcpu_events (64 bytes): the events KVM holds for the next entry. */
    public static final class VcpuEvents {
        public static final int SIZE = 64;
        public static final int EXCEPTION_INJECTED = 0, EXCEPTION_NR = 1, EXCEPTION_HAS_ERROR_CODE = 2, EXCEPTION_PENDING = 3,
                EXCEPTION_ERROR_CODE = 4, EXCEPTION_HAS_PAYLOAD = 55, EXCEPTION_PAYLOAD = 56;
        public static final int INTERRUPT_INJECTED = 8, INTERRUPT_NR = 9, INTERRUPT_SHADOW = 11;
        public static final int NMI_PENDING = 13, NMI_MASKED = 14;

        private VcpuEvents() {
        }
    }

    /** struct kvm_translation: linear_address u64 in; physical_address u64, valid u8 out. */
    public static final class Translation {
        public static final int SIZE = 24;
        public static final int LINEAR_ADDRESS = 0, PHYSICAL_ADDRESS = 8, VALID = 16;

        private Translation() {
        }
    }

    /**
     * The binary statistics an fd from GET_STATS_FD reads as (Documentation/virt/kvm/api.rst):
     * a header, descriptors of DESCRIPTOR_SIZE + name_size bytes at desc_offset, u64 values at
     * data_offset + a descriptor's offset.
     */
    public static final class Stats {
        public static final int NAME_SIZE = 4, NUM_DESC = 8, DESC_OFFSET = 16, DATA_OFFSET = 20;
        public static final int DESCRIPTOR_SIZE = 16;
        public static final int DESC_FLAGS = 0, DESC_SIZE = 6, DESC_OFFSET_IN_DATA = 8, DESC_NAME = 16;
        /** Types up to PEAK (cumulative 0, instant 1, peak 2) are single values; higher ones are histograms. */
        public static final int TYPE_MASK = 0xf, TYPE_PEAK = 2;

        private Stats() {
        }
    }

    /** struct kvm_msrs (nmsrs u32, pad) followed by struct kvm_msr_entry (index u32, reserved, data u64). */
    public static final class Msrs {
        public static final int HEADER_SIZE = 8;
        public static final int ENTRY_SIZE = 16;
        public static final int ENTRY_INDEX = 0, ENTRY_DATA = 8;

        private Msrs() {
        }
    }

    private Kvm() {
    }

    /** ioctl with errno checking; retried on EINTR. Returns the ioctl's non-negative result. */
    public static int ioctl(int fd, long request, long arg, String name) throws NativeException {
        int r;
        do {
            r = LinuxNative.ioctl(fd, request, arg);
        } while (r < 0 && LinuxNative.errno() == LinuxNative.EINTR);
        return LinuxNative.check(name, r);
    }
}
