package org.vgpu.gpu.context;

/**
 * What RESOURCE_CREATE_BLOB(HOST3D) with a blob_id a context promised gets: host memory of size
 * bytes (blob-aligned) laid out as format (a virtio-gpu format code) width x height, linear,
 * stride width * 4, which the device allocates on a backend that can map it into the guest.
 * <p>
 * With {@code fd >= 0} (since 1.1.0) the blob is not allocated but is that host memory: a memfd the
 * context received (a compositor's keymap), of size bytes (the guest may create it with that size
 * or page-rounded). The device takes its own duplicate; it needs the memfd sealed against
 * shrinking (so a mapping can never fault) and maps it read-only when it is sealed against writes.
 */
public record HostBlob(int format, int width, int height, long size, int fd) {

    /** Host memory the device allocates. */
    public HostBlob(int format, int width, int height, long size) {
        this(format, width, height, size, -1);
    }

    /** Existing host memory of size bytes (a received memfd, still the context's to close). */
    public static HostBlob ofMemory(int fd, long size) {
        return new HostBlob(0, 0, 0, size, fd);
    }
}
