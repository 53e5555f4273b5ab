package org.vgpu.gpu.context;

/**
 * What RESOURCE_CREATE_BLOB(HOST3D) with a blob_id a context promised gets: host memory of size
 * bytes (blob-aligned) laid out as format (a virtio-gpu format code) width x height, linear,
 * stride width * 4, which the device allocates on a backend that can map it into the guest.
 */
public record HostBlob(int format, int width, int height, long size) {
}
