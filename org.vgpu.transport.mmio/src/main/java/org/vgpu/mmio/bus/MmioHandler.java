package org.vgpu.mmio.bus;

/**
 * A device window on the micro-VM's MMIO bus. The VM forwards each guest access that exits to
 * the host (KVM_EXIT_MMIO) with the offset inside the window; sizes are 1, 2, 4 or 8 bytes.
 * Implementations never throw on guest-chosen offsets or sizes: bad reads return 0, bad writes
 * are ignored.
 */
public interface MmioHandler {

    /** Size of the window in bytes (a multiple of 4 KiB for virtio-mmio). */
    long windowSize();

    long read(long offset, int size);

    void write(long offset, int size, long value);
}
