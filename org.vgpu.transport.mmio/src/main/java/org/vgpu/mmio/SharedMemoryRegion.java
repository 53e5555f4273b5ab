package org.vgpu.mmio;

import org.vgpu.virtio.api.SharedMemoryWindow;

/**
 * A virtio shared memory region the VM has placed in guest-physical space (e.g. virtio-gpu host
 * visible memory, id 1), announced to the driver through SHMSel/SHMLen/SHMBase. window is what
 * the device maps host memory through (null: the region is only described to the driver).
 */
public record SharedMemoryRegion(int id, long guestBase, long length, SharedMemoryWindow window) {

    public SharedMemoryRegion {
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("shared memory id must be 0..255 (a u8 in the spec): " + id);
        }
        if (length <= 0 || Long.compareUnsigned(guestBase + length - 1, guestBase) < 0) { // must not wrap
            throw new IllegalArgumentException(String.format("bad shared memory region 0x%x+0x%x", guestBase, length));
        }
        if (window != null && (window.id() != id || window.size() != length)) {
            throw new IllegalArgumentException("window " + window.id() + "/" + window.size() + " does not match region " + id + "/" + length);
        }
    }

    /** A region described to the driver without a window for the device. */
    public SharedMemoryRegion(int id, long guestBase, long length) {
        this(id, guestBase, length, null);
    }
}
