package org.vgpu.mmio;

/**
 * A virtio shared memory region the VM has placed in guest-physical space (e.g. virtio-gpu host
 * visible memory, id 1), announced to the driver through SHMSel/SHMLen/SHMBase.
 */
public record SharedMemoryRegion(int id, long guestBase, long length) {

    public SharedMemoryRegion {
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("shared memory id must be 0..255 (a u8 in the spec): " + id);
        }
        if (length <= 0 || Long.compareUnsigned(guestBase + length - 1, guestBase) < 0) { // must not wrap
            throw new IllegalArgumentException(String.format("bad shared memory region 0x%x+0x%x", guestBase, length));
        }
    }
}
