package org.vgpu.mmio.vm;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

import com.sun.jna.Memory;

/** The /dev/kvm handle: API checks, CPUID the host supports, and VM creation. */
public final class KvmSystem implements AutoCloseable {

    /** Capabilities the micro-VM cannot do without. */
    static final int[] REQUIRED_CAPS = {Kvm.CAP_IRQCHIP, Kvm.CAP_USER_MEMORY, Kvm.CAP_SET_TSS_ADDR,
        Kvm.CAP_EXT_CPUID, Kvm.CAP_IRQFD, Kvm.CAP_PIT2, Kvm.CAP_IOEVENTFD};
    private static final int MAX_CPUID_ENTRIES = 256;
    private static final int E2BIG = 7;

    private final int fd;

    private KvmSystem(int fd) {
        this.fd = fd;
    }

    /** Opens /dev/kvm and checks the API version and required capabilities. */
    public static KvmSystem open() throws NativeException {
        int fd = LinuxNative.check("open " + Kvm.DEVICE, LinuxNative.open(Kvm.DEVICE, LinuxNative.O_RDWR | LinuxNative.O_CLOEXEC));
        KvmSystem kvm = new KvmSystem(fd);
        try {
            int version = Kvm.ioctl(fd, Kvm.GET_API_VERSION, 0, "KVM_GET_API_VERSION");
            if (version != Kvm.API_VERSION) {
                throw new IllegalStateException("KVM API version " + version + ", expected " + Kvm.API_VERSION);
            }
            for (int cap : REQUIRED_CAPS) {
                if (kvm.checkExtension(cap) <= 0) {
                    throw new IllegalStateException("KVM lacks capability " + cap);
                }
            }
            return kvm;
        } catch (NativeException | RuntimeException e) {
            kvm.close();
            throw e;
        }
    }

    public int checkExtension(int cap) throws NativeException {
        return Kvm.ioctl(fd, Kvm.CHECK_EXTENSION, cap, "KVM_CHECK_EXTENSION");
    }

    public int vcpuMmapSize() throws NativeException {
        return Kvm.ioctl(fd, Kvm.GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
    }

    /** struct kvm_cpuid2 with every leaf KVM can virtualize, ready for KVM_SET_CPUID2. */
    public Memory supportedCpuid() throws NativeException {
        for (int n = MAX_CPUID_ENTRIES;; n *= 2) {
            Memory cpuid = new Memory(Kvm.Cpuid.HEADER_SIZE + (long) n * Kvm.Cpuid.ENTRY_SIZE);
            cpuid.clear();
            cpuid.setInt(Kvm.Cpuid.NENT, n);
            int r = LinuxNative.ioctl(fd, Kvm.GET_SUPPORTED_CPUID, com.sun.jna.Pointer.nativeValue(cpuid));
            if (r >= 0) {
                return cpuid;
            }
            if (LinuxNative.errno() != E2BIG || n >= 4096) {
                throw new NativeException("KVM_GET_SUPPORTED_CPUID", LinuxNative.errno());
            }
        }
    }

    public KvmVm createVm() throws NativeException {
        int vmFd = Kvm.ioctl(fd, Kvm.CREATE_VM, 0, "KVM_CREATE_VM");
        return new KvmVm(vmFd, vcpuMmapSize());
    }

    @Override
    public void close() {
        LinuxNative.closeQuietly(fd);
    }
}
