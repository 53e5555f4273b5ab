package org.vgpu.virtio.api;

import org.osgi.annotation.versioning.ConsumerType;

/** The device-to-driver notification path, implemented by the transport (call eventfd, irqfd, IRQ line). */
@ConsumerType
public interface Interrupt {

    /** Used buffers were added to this queue (the caller has already applied EVENT_IDX suppression). */
    void signalQueue(int queueIndex);

    /** The device configuration changed. */
    void signalConfig();
}
