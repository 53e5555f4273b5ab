package org.vgpu.mmio;

import static org.vgpu.mmio.MmioRegisters.*;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.vgpu.mmio.bus.IrqLine;
import org.vgpu.mmio.bus.MmioHandler;
import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.queue.QueueException;
import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.NativeException;

/**
 * Puts one {@link VirtioDevice} on a virtio-mmio version 2 window: decodes the guest's register
 * accesses, runs the device status state machine (reset, feature negotiation, DRIVER_OK,
 * DEVICE_NEEDS_RESET) and starts or stops the device accordingly.
 *
 * <p>Guest accesses arrive on vCPU threads and are serialised here. Every register is 32 bits
 * wide and 4-byte aligned; any other access below the config space reads 0 and writes nothing,
 * so a hostile guest can never make this class throw. Writes the spec forbids at that moment
 * (queue registers before FEATURES_OK or while the queue is ready, driver features after
 * FEATURES_OK) are ignored too: Linux never makes them.
 *
 * <p>The device's queue worker raises the {@link IrqLine} on its own thread, while a vCPU may
 * be inside a reset waiting for that worker to end: {@code IrqLine.trigger()} must never wait
 * for a vCPU (an irqfd write does not).
 */
public final class MmioTransport implements MmioHandler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MmioTransport.class.getName());

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final String name;
    private final List<SharedMemoryRegion> sharedMemory;
    private final FeatureRegisters features;
    private final QueueRegisters[] queues;
    private final DeviceConfigWindow config;
    private final MmioInterrupt interrupt;
    private final QueueKicks kicks;
    /** Set (from any thread) when the device asks for a reset; cleared by the driver's reset. */
    private final AtomicReference<String> needsReset = new AtomicReference<>();

    private volatile int status; // as the driver set it, without NEEDS_RESET
    private volatile RunningDevice running; // non-null between DRIVER_OK and reset
    private int queueSelect;
    private int shmSelect;
    private volatile boolean closed;

    /**
     * @param sharedMemory the device's shared memory regions, already placed in guest-physical
     *                     space by the VM (empty if the device has none)
     */
    public MmioTransport(VirtioDevice device, GuestMemory memory, IrqLine irq, List<SharedMemoryRegion> sharedMemory)
            throws NativeException {
        this.device = Objects.requireNonNull(device, "device");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.name = "virtio-mmio:" + device.name();
        this.sharedMemory = List.copyOf(sharedMemory);
        // RING_RESET is a transport feature: QueueReset is ours to implement, not the device's.
        this.features = new FeatureRegisters(
                device.offeredFeatures() & ~UNSUPPORTED_TRANSPORT_FEATURES | 1L << F_RING_RESET);
        this.queues = new QueueRegisters[device.queueCount()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new QueueRegisters(device.maxQueueSize(i));
        }
        this.config = new DeviceConfigWindow(device, (int) WINDOW_SIZE - CONFIG);
        this.interrupt = new MmioInterrupt(irq);
        this.kicks = new QueueKicks(queues.length);
    }

    public VirtioDevice device() {
        return device;
    }

    @Override
    public long windowSize() {
        return WINDOW_SIZE;
    }

    /** The eventfd a QueueNotify of this queue signals; a KVM VM may bind it as an ioeventfd. */
    public EventFd kickFd(int queueIndex) {
        return kicks.kick(queueIndex);
    }

    /** Window offset of QueueNotify, where such an ioeventfd belongs (4 bytes, datamatch = queue index). */
    public long queueNotifyOffset() {
        return QUEUE_NOTIFY;
    }

    /** For the shell: InterruptStatus and how many edges were raised and acknowledged. */
    public String interruptState() {
        return interrupt.describe();
    }

    /** For the shell: "reset", "driver-ok pending", "active", "failed", "needs reset: why" or "closed". */
    public String state() {
        if (closed) {
            return "closed";
        }
        String reason = needsReset.get();
        if (reason != null) {
            return "needs reset: " + reason;
        }
        if (running != null) {
            return "active";
        }
        int s = status;
        if (s == 0) {
            return "reset";
        }
        return (s & STATUS_FAILED) != 0 ? "failed" : "driver-ok pending";
    }

    // ---- guest accesses ----

    @Override
    public synchronized long read(long offset, int size) {
        if (closed || offset < 0 || offset >= WINDOW_SIZE) {
            return 0;
        }
        if (offset >= CONFIG) {
            return config.read(offset - CONFIG, size);
        }
        if (size != REGISTER_SIZE || (offset & (REGISTER_SIZE - 1)) != 0) {
            return 0;
        }
        return readRegister((int) offset) & 0xffffffffL;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (closed || offset < 0 || offset >= WINDOW_SIZE) {
            return;
        }
        if (offset >= CONFIG) {
            config.write(offset - CONFIG, size, value);
            return;
        }
        if (size != REGISTER_SIZE || (offset & (REGISTER_SIZE - 1)) != 0) {
            return;
        }
        writeRegister((int) offset, (int) value);
    }

    private int readRegister(int offset) {
        QueueRegisters q = selectedQueue();
        return switch (offset) {
            case MAGIC_VALUE -> MAGIC;
            case VERSION_REG -> VERSION;
            case DEVICE_ID -> device.deviceId();
            case VENDOR_ID_REG -> VENDOR_ID;
            case DEVICE_FEATURES -> features.deviceWord();
            case QUEUE_NUM_MAX -> q == null ? 0 : q.maxSize(); // 0: no such queue
            case QUEUE_READY -> q != null && q.isReady() ? 1 : 0;
            case INTERRUPT_STATUS -> interrupt.status();
            case STATUS -> status | (needsReset.get() != null ? STATUS_NEEDS_RESET : 0);
            case SHM_LEN_LOW -> (int) selectedShmLength();
            case SHM_LEN_HIGH -> (int) (selectedShmLength() >>> 32);
            case SHM_BASE_LOW -> (int) selectedShmBase();
            case SHM_BASE_HIGH -> (int) (selectedShmBase() >>> 32);
            case QUEUE_RESET -> 0; // a queue reset completes within the write
            case CONFIG_GENERATION -> device.configGeneration();
            default -> 0; // write-only and reserved registers
        };
    }

    private void writeRegister(int offset, int value) {
        switch (offset) {
            case DEVICE_FEATURES_SEL -> features.selectDeviceWord(value);
            case DRIVER_FEATURES -> {
                if ((status & STATUS_FEATURES_OK) == 0) {
                    features.writeDriverWord(value);
                }
            }
            case DRIVER_FEATURES_SEL -> features.selectDriverWord(value);
            case QUEUE_SEL -> queueSelect = value;
            case QUEUE_NUM -> writeQueue(q -> q.setSize(value));
            case QUEUE_DESC_LOW -> writeQueue(q -> q.setDescLow(value));
            case QUEUE_DESC_HIGH -> writeQueue(q -> q.setDescHigh(value));
            case QUEUE_DRIVER_LOW -> writeQueue(q -> q.setDriverLow(value));
            case QUEUE_DRIVER_HIGH -> writeQueue(q -> q.setDriverHigh(value));
            case QUEUE_DEVICE_LOW -> writeQueue(q -> q.setDeviceLow(value));
            case QUEUE_DEVICE_HIGH -> writeQueue(q -> q.setDeviceHigh(value));
            case QUEUE_READY -> writeQueueReady(value);
            case QUEUE_NOTIFY -> kicks.notify(value); // the value is the queue index (no NOTIFICATION_DATA)
            case INTERRUPT_ACK -> interrupt.acknowledge(value);
            case STATUS -> writeStatus(value & 0xff);
            case SHM_SEL -> shmSelect = value;
            case QUEUE_RESET -> {
                if (value == 1) {
                    resetSelectedQueue();
                }
            }
            default -> { } // read-only and reserved registers
        }
    }

    // ---- queues ----

    private QueueRegisters selectedQueue() {
        return queueSelect >= 0 && queueSelect < queues.length ? queues[queueSelect] : null;
    }

    /** Applies a queue register write if the spec allows one now: after FEATURES_OK, queue not ready. */
    private void writeQueue(Consumer<QueueRegisters> change) {
        QueueRegisters q = selectedQueue();
        if (q != null && (status & STATUS_FEATURES_OK) != 0 && !q.isReady()) {
            change.accept(q);
        }
    }

    private void writeQueueReady(int value) {
        QueueRegisters q = selectedQueue();
        if (q == null) {
            return;
        }
        if (value == 0) {
            disableSelectedQueue(q);
        } else if (value == 1 && (status & STATUS_FEATURES_OK) != 0 && !q.isReady() && q.setReady(true)) {
            enableWhileRunning(q);
        }
    }

    /** A queue enabled after DRIVER_OK (after a QueueReset) goes straight into service. */
    private void enableWhileRunning(QueueRegisters q) {
        RunningDevice r = running;
        if (r == null) {
            return; // before DRIVER_OK the queue is only a register value
        }
        try {
            if (!r.enableQueue(queueSelect, q)) {
                q.setReady(false); // not a queue the device was activated with
            }
        } catch (QueueException e) {
            q.setReady(false);
            deviceNeedsReset(e.getMessage());
        }
    }

    private void disableSelectedQueue(QueueRegisters q) {
        if (!q.isReady()) {
            return;
        }
        q.setReady(false);
        stopQueue();
    }

    /** QueueReset (only with RING_RESET negotiated): this queue back to its reset state, the others untouched. */
    private void resetSelectedQueue() {
        QueueRegisters q = selectedQueue();
        if (q == null || (status & STATUS_FEATURES_OK) == 0 || !features.negotiated(F_RING_RESET)) {
            return;
        }
        q.reset();
        stopQueue();
    }

    private void stopQueue() {
        RunningDevice r = running;
        if (r == null) {
            return;
        }
        try {
            r.disableQueue(queueSelect);
        } catch (NativeException e) {
            deviceNeedsReset("cannot restart the queue worker: " + e.getMessage());
        }
    }

    // ---- shared memory ----

    /** The regions the device can map into (the activation hands them over by id). */
    private List<SharedMemoryWindow> windows() {
        List<SharedMemoryWindow> windows = new ArrayList<>();
        for (SharedMemoryRegion r : sharedMemory) {
            if (r.window() != null) {
                windows.add(r.window());
            }
        }
        return windows;
    }

    private SharedMemoryRegion selectedShm() {
        for (SharedMemoryRegion r : sharedMemory) {
            if (r.id() == shmSelect) {
                return r;
            }
        }
        return null;
    }

    private long selectedShmLength() {
        SharedMemoryRegion r = selectedShm();
        return r == null ? NO_SHM_REGION : r.length();
    }

    private long selectedShmBase() {
        SharedMemoryRegion r = selectedShm();
        return r == null ? NO_SHM_REGION : r.guestBase();
    }

    // ---- device status ----

    /**
     * The driver only ever adds status bits; 0 resets. FEATURES_OK sticks only for acceptable
     * features, DRIVER_OK only after FEATURES_OK. NEEDS_RESET is the device's and not writable.
     */
    private void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int old = status;
        int next = old | (value & ~STATUS_NEEDS_RESET);
        if (added(old, next, STATUS_FEATURES_OK)) {
            if (features.driverFeaturesAcceptable()) {
                device.ackFeatures(features.driverFeatures() & device.offeredFeatures());
            } else {
                next &= ~STATUS_FEATURES_OK; // the driver reads it back and gives up
            }
        }
        if (added(old, next, STATUS_DRIVER_OK) && (next & STATUS_FEATURES_OK) == 0) {
            next &= ~STATUS_DRIVER_OK;
        }
        status = next;
        if (added(old, next, STATUS_DRIVER_OK)) {
            activate();
        }
    }

    private static boolean added(int old, int next, int bit) {
        return (old & bit) == 0 && (next & bit) != 0;
    }

    private void activate() {
        try {
            running = RunningDevice.start(device, memory, queues, features.negotiated(F_RING_EVENT_IDX), kicks,
                    interrupt, this::deviceNeedsReset, name, windows());
            LOG.log(Level.INFO, name + ": device active");
        } catch (QueueException e) {
            deviceNeedsReset(e.getMessage());
        } catch (NativeException | RuntimeException e) {
            LOG.log(Level.ERROR, name + ": cannot activate " + device.name(), e);
            deviceNeedsReset("activation failed: " + e);
        }
    }

    /**
     * The device (or we) found the driver's setup broken: DEVICE_NEEDS_RESET, queues out of
     * service, and a config change interrupt so the driver looks at Status. Lock-free, because
     * the queue worker calls it while a vCPU may hold this transport waiting for that worker.
     */
    private void deviceNeedsReset(String reason) {
        if (!needsReset.compareAndSet(null, reason)) {
            return;
        }
        LOG.log(Level.WARNING, name + ": device needs reset: " + reason);
        RunningDevice r = running;
        if (r != null) {
            r.halt();
        }
        interrupt.signalConfig();
    }

    /** Status = 0: the device stops, forgets the driver, and every register returns to its reset value. */
    private void reset() {
        RunningDevice r = running;
        if (r != null) {
            r.stop(); // joins the worker: no interrupt or needsReset from it after this
            running = null;
        }
        device.reset();
        kicks.drain();
        features.reset();
        for (QueueRegisters q : queues) {
            q.reset();
        }
        queueSelect = 0;
        shmSelect = 0;
        interrupt.clear();
        needsReset.set(null);
        status = 0;
    }

    /** Stops the device and frees the kick eventfds; the VM must have unbound its ioeventfds. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        reset();
        kicks.close();
    }

    @Override
    public String toString() {
        return name + " [" + state() + "]";
    }
}
