package org.vgpu.virtio.api;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A virtio device as a service: any {@link VirtioTransport} can serve it. The transport owns
 * registers/sockets; the device owns features, config space and request processing.
 * A device instance serves one driver at a time.
 */
@ConsumerType
public interface VirtioDevice {

    /** Service property with the device instance name (e.g. "gpu0"). */
    String PROP_NAME = "vgpu.device.name";

    /** Instance name, unique in the framework. */
    String name();

    /** Virtio device id (16 for GPU). */
    int deviceId();

    /** Feature bits this device offers, including VIRTIO_F_VERSION_1 and transport-neutral ring features. */
    long offeredFeatures();

    /** Driver-acknowledged features; a subset of offered (the transport masks it). */
    void ackFeatures(long features);

    long ackedFeatures();

    /** Size of the device-specific configuration space in bytes. */
    int configSize();

    /** Reads config bytes [offset, offset+length) into dst at its position; out-of-range bytes read as 0. */
    void readConfig(int offset, ByteBuffer dst);

    /** Writes config bytes from src (position to limit) at offset; out-of-range and read-only bytes are ignored. */
    void writeConfig(int offset, ByteBuffer src);

    /** Increments whenever the device changes its config on its own (virtio config generation). */
    int configGeneration();

    int queueCount();

    int maxQueueSize(int queueIndex);

    /** Starts serving: the queues are set up and memory mapped. Called again only after {@link #reset()}. */
    void activate(DeviceActivation activation);

    /** Handles all available requests on one queue; called by the queue worker after a kick. */
    void processQueue(int queueIndex);

    /** Returns to the initial state: drops queues, resources and acked features. */
    void reset();

    /** Current activation, or null if the device is not active. */
    DeviceActivation activation();
}
