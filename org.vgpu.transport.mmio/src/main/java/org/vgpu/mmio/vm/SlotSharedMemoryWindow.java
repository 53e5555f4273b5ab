package org.vgpu.mmio.vm;

import org.vgpu.mmio.SharedMemoryRegion;
import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.runtime.WindowMaps;
import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

/**
 * A shared memory region of the micro-VM (the GPU's HOST_VISIBLE window) at a fixed guest-physical
 * base: each map becomes a KVM memory slot at base + offset, each unmap removes it again. The
 * window itself claims no guest memory: until the device maps something there, it is a hole.
 */
public final class SlotSharedMemoryWindow implements SharedMemoryWindow {

    /** Where maps become guest memory: {@link MicroVm#addMemory} / {@link MicroVm#removeMemory} in the VM. */
    public interface MemorySlots {
        /** Takes ownership of fd. */
        void add(long gpa, int fd, long fdOffset, long size) throws NativeException;

        boolean remove(long gpa) throws NativeException;
    }

    private final int id;
    private final long guestBase;
    private final long size;
    private final MemorySlots slots;
    private final WindowMaps maps;

    public SlotSharedMemoryWindow(int id, long guestBase, long size, MemorySlots slots) {
        if (guestBase % VmMemoryLayout.PAGE_SIZE != 0 || size <= 0 || size % VmMemoryLayout.PAGE_SIZE != 0) {
            throw new IllegalArgumentException(String.format("shared memory window 0x%x+0x%x is not page aligned", guestBase, size));
        }
        this.id = id;
        this.guestBase = guestBase;
        this.size = size;
        this.slots = slots;
        this.maps = new WindowMaps(size, VmMemoryLayout.PAGE_SIZE);
    }

    /** The region as the transport describes it to the driver (SHMBase/SHMLen), with this window. */
    public SharedMemoryRegion region() {
        return new SharedMemoryRegion(id, guestBase, size, this);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public long size() {
        return size;
    }

    public long guestBase() {
        return guestBase;
    }

    @Override
    public synchronized void map(long offset, int fd, long fdOffset, long length, boolean writable) throws MappingException {
        maps.checkMap(offset, fdOffset, length);
        if (!writable) {
            // KVM_MEM_READONLY slots would turn guest writes into exits we have no use for.
            throw new MappingException("read-only maps are not supported");
        }
        int dup = LinuxNative.fcntl(fd, LinuxNative.F_DUPFD_CLOEXEC, 0); // the slot keeps its own fd; fd stays the caller's
        if (dup < 0) {
            throw new MappingException("cannot duplicate fd " + fd + ": errno " + LinuxNative.errno());
        }
        try {
            slots.add(guestBase + offset, dup, fdOffset, length);
        } catch (NativeException | RuntimeException e) {
            throw new MappingException("memory slot at 0x" + Long.toHexString(guestBase + offset) + ": " + e.getMessage());
        }
        maps.added(offset, length);
    }

    @Override
    public synchronized void unmap(long offset, long length) throws MappingException {
        maps.checkUnmap(offset, length);
        try {
            slots.remove(guestBase + offset);
        } catch (NativeException e) {
            throw new MappingException("removing the memory slot at 0x" + Long.toHexString(guestBase + offset) + ": " + e.getMessage());
        }
        maps.removed(offset);
    }

    /** Number of live maps (for the shell and tests). */
    public synchronized int mapCount() {
        return maps.count();
    }

    @Override
    public String toString() {
        return String.format("shm %d at 0x%x+0x%x, %d maps", id, guestBase, size, mapCount());
    }
}
