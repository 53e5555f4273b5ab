package org.vgpu.virtio.runtime;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.Interrupt;
import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.queue.SplitQueue;

/** A plain {@link DeviceActivation}: what a transport hands a device on DRIVER_OK. */
public final class BasicActivation implements DeviceActivation {
    private final GuestMemory memory;
    private final SplitQueue[] queues;
    private final Interrupt interrupt;
    private final Consumer<String> needsReset;
    private final String connectionName;
    private final List<SharedMemoryWindow> sharedMemory;

    /** queues[i] is null for queues the driver did not enable; needsReset is the transport's hook. */
    public BasicActivation(GuestMemory memory, SplitQueue[] queues, Interrupt interrupt,
            Consumer<String> needsReset, String connectionName) {
        this(memory, queues, interrupt, needsReset, connectionName, List.of());
    }

    /** As above, with the shared memory regions the transport offers (the GPU's HOST_VISIBLE, id 1). */
    public BasicActivation(GuestMemory memory, SplitQueue[] queues, Interrupt interrupt,
            Consumer<String> needsReset, String connectionName, List<SharedMemoryWindow> sharedMemory) {
        this.sharedMemory = List.copyOf(sharedMemory);
        this.memory = Objects.requireNonNull(memory, "memory");
        this.queues = queues.clone();
        this.interrupt = Objects.requireNonNull(interrupt, "interrupt");
        this.needsReset = Objects.requireNonNull(needsReset, "needsReset");
        this.connectionName = Objects.requireNonNull(connectionName, "connectionName");
    }

    @Override
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public SplitQueue queue(int index) {
        return index >= 0 && index < queues.length ? queues[index] : null;
    }

    /** Number of queue slots (enabled or not). */
    public int queueCount() {
        return queues.length;
    }

    @Override
    public Interrupt interrupt() {
        return interrupt;
    }

    @Override
    public void needsReset(String reason) {
        needsReset.accept(reason);
    }

    @Override
    public SharedMemoryWindow sharedMemory(int id) {
        for (SharedMemoryWindow w : sharedMemory) {
            if (w.id() == id) {
                return w;
            }
        }
        return null;
    }

    @Override
    public String connectionName() {
        return connectionName;
    }

    @Override
    public String toString() {
        return "activation[" + connectionName + "]";
    }
}
