package org.vgpu.virtio.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A virtio shared memory region (VIRTIO 1.4 2.10) the transport gives a device: a window of guest
 * physical address space where the device maps host memory (the GPU's HOST_VISIBLE region for
 * MAP_BLOB). A KVM memory slot in the micro-VM, SHMEM_MAP requests over vhost-user.
 */
@ProviderType
public interface SharedMemoryWindow {

    /** The region id (1 = the GPU's HOST_VISIBLE). */
    int id();

    /** Window size in bytes; maps must lie inside it. */
    long size();

    /**
     * Maps length bytes of fd from fdOffset at offset in the window. offset, fdOffset and length
     * are page-aligned, inside the window and not overlapping an existing map (the device checks;
     * the transport refuses otherwise).
     */
    void map(long offset, int fd, long fdOffset, long length, boolean writable) throws MappingException;

    /** Removes the map that starts at offset with this length (exactly one earlier map). */
    void unmap(long offset, long length) throws MappingException;

    /** A map or unmap the transport could not do, with the reason. */
    final class MappingException extends Exception {
        private static final long serialVersionUID = 1L;

        public MappingException(String message) {
            super(message);
        }
    }
}
