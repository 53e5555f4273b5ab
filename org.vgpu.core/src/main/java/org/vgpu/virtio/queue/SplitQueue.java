package org.vgpu.virtio.queue;

/** Placeholder: replaced by the split virtqueue implementation. */
public final class SplitQueue {
}
