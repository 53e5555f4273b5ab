package org.vgpu.virtio.api;

import org.osgi.annotation.versioning.ProviderType;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.queue.SplitQueue;

/** What a transport hands a device when the driver sets DRIVER_OK: memory, queues and the interrupt line. */
@ProviderType
public interface DeviceActivation {

    GuestMemory memory();

    /** The queue at index, or null if the driver did not enable it. */
    SplitQueue queue(int index);

    Interrupt interrupt();

    /** The device found the driver broken (e.g. a corrupt ring): set DEVICE_NEEDS_RESET and stop using queues. */
    void needsReset(String reason);

    /** The shared memory region with this id, or null if the transport offers none. */
    default SharedMemoryWindow sharedMemory(int id) {
        return null;
    }

    /** Name of the transport connection, for logs and the shell (e.g. "vhost-user:/run/vgpu.sock#3"). */
    String connectionName();
}
