package org.vgpu.device.input;

import static org.vgpu.device.input.Evdev.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

import org.vgpu.input.spi.InputTarget;
import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.DeviceSummary;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.queue.DescriptorChain;
import org.vgpu.virtio.queue.QueueException;
import org.vgpu.virtio.queue.SplitQueue;

/**
 * A virtio-input device (VIRTIO 1.4 5.8, device id 18): a keyboard or an absolute tablet. Host
 * input arrives through {@link InputTarget} on any thread and is held in a fixed {@link EventRing}
 * until the guest has event buffers; the status queue carries the guest's LED changes. One lock
 * serialises the host's calls, the queue worker's and the transport's, so each queue is drained
 * by one thread at a time, as {@link SplitQueue} requires. Nothing is allocated per event.
 */
final class InputDevice implements VirtioDevice, InputTarget, DeviceSummary {
    static final int DEVICE_ID = 18;
    static final int EVENT_QUEUE = 0;
    static final int STATUS_QUEUE = 1;
    /** What QEMU's virtio-input gives each queue. */
    static final int QUEUE_SIZE = 64;
    static final int EVENT_SIZE = 8;
    static final long FEATURES = 1L << 32 | 1L << 29 | 1L << 28; // VERSION_1, EVENT_IDX, INDIRECT_DESC
    private static final System.Logger LOG = System.getLogger(InputDevice.class.getName());

    private final String name;
    private final String display;
    private final InputProfile profile;
    private final ConfigSpace config;
    private final Object lock = new Object();
    private final EventRing pending;
    private final Leds leds = new Leds();
    private final ByteBuffer eventBytes = ByteBuffer.allocate(EVENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer statusBytes = ByteBuffer.allocate(EVENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    private volatile DeviceActivation activation;
    private volatile long acked;
    // Guarded by lock.
    private boolean broken;
    private long delivered;
    private long ignored;
    private long shortBuffers;
    private long statusEntries;
    private long badStatus;

    InputDevice(String name, Kind kind, String idName, String display, int pendingCapacity) {
        this.name = Objects.requireNonNull(name, "name");
        this.display = Objects.requireNonNull(display, "display");
        this.profile = InputProfile.of(kind, idName, name);
        this.config = new ConfigSpace(profile);
        this.pending = new EventRing(pendingCapacity);
    }

    // ---- VirtioDevice

    @Override public String name() { return name; }
    @Override public int deviceId() { return DEVICE_ID; }
    @Override public long offeredFeatures() { return FEATURES; }
    @Override public void ackFeatures(long features) { acked = features & FEATURES; }
    @Override public long ackedFeatures() { return acked; }
    @Override public int configSize() { return ConfigSpace.LENGTH; }
    @Override public void readConfig(int offset, ByteBuffer dst) { config.read(offset, dst); }
    @Override public void writeConfig(int offset, ByteBuffer src) { config.write(offset, src); }
    /** The device never changes its config on its own. */
    @Override public int configGeneration() { return 0; }
    @Override public int queueCount() { return 2; }
    @Override public int maxQueueSize(int queueIndex) { return QUEUE_SIZE; }
    @Override public DeviceActivation activation() { return activation; }

    @Override
    public void activate(DeviceActivation a) {
        synchronized (lock) {
            broken = false;
            activation = a;
        }
    }

    @Override
    public void reset() {
        synchronized (lock) {
            activation = null;
            acked = 0;
            broken = false;
            pending.clear(); // the driver starts over: what it never got is gone
            leds.clear();
            config.reset();
        }
    }

    @Override
    public void processQueue(int queueIndex) {
        synchronized (lock) {
            if (queueIndex == EVENT_QUEUE) {
                deliver(); // the kick means new buffers: held events can go
            } else if (queueIndex == STATUS_QUEUE) {
                consumeStatus();
            }
        }
    }

    // ---- InputTarget

    @Override public Kind kind() { return profile.kind; }
    @Override public String display() { return display; }

    @Override
    public void key(int code, boolean pressed) {
        send(EV_KEY, code, pressed ? 1 : 0, profile.kind == Kind.KEYBOARD);
    }

    @Override
    public void button(int code, boolean pressed) {
        send(EV_KEY, code, pressed ? 1 : 0, profile.kind == Kind.TABLET);
    }

    @Override
    public void pointer(int x, int y, int width, int height) {
        synchronized (lock) {
            if (!profile.offers(EV_ABS, ABS_X) || width <= 0 || height <= 0) {
                ignored++;
                return;
            }
            if (!accepting(3)) {
                return;
            }
            pending.push(EV_ABS, ABS_X, scale(x, width));
            pending.push(EV_ABS, ABS_Y, scale(y, height));
            pending.push(EV_SYN, SYN_REPORT, 0);
            deliver();
        }
    }

    @Override
    public void wheel(int steps) {
        send(EV_REL, REL_WHEEL, steps, steps != 0);
    }

    /**
     * A pixel position on a scanout of extent pixels on the 0..32767 axis, as QEMU's
     * qemu_input_scale_axis does it for its tablet (position * 32767 / extent); positions off the
     * scanout are clamped to its edges.
     */
    static int scale(int position, int extent) {
        int p = Math.max(0, Math.min(position, extent - 1));
        return (int) ((long) p * InputProfile.ABS_MAX / extent);
    }

    /** One event and its SYN_REPORT, if the device offers it (the guest's evdev would drop it anyway). */
    private void send(int type, int code, int value, boolean applies) {
        synchronized (lock) {
            if (!applies || !profile.offers(type, code)) {
                ignored++;
                return;
            }
            if (!accepting(2)) {
                return;
            }
            pending.push(type, code, value);
            pending.push(EV_SYN, SYN_REPORT, 0);
            deliver();
        }
    }

    /** Whether a group of n events can be held: only for a driver (a guest that is not up gets no replay later). */
    private boolean accepting(int n) {
        if (activation == null || broken) {
            pending.countDropped(n);
            return false;
        }
        return true;
    }

    // ---- queues (caller holds lock)

    /**
     * Moves held events into the guest's event buffers, one event per buffer, until either runs
     * out. A buffer with fewer than 8 writable bytes (too short, or device-readable) cannot take
     * an event: it is returned used with 0 bytes, which the Linux driver skips, and counted.
     */
    private void deliver() {
        DeviceActivation a = activation;
        SplitQueue q = a == null || broken ? null : a.queue(EVENT_QUEUE);
        if (q == null || pending.isEmpty()) {
            return;
        }
        GuestMemory mem = a.memory();
        try (GuestMemory.Lease lease = mem.lease()) {
            DescriptorChain chain;
            while (!pending.isEmpty() && (chain = q.pop(mem)) != null) {
                if (chain.writableLength() < EVENT_SIZE) {
                    shortBuffers++;
                    q.complete(mem, chain, 0);
                    continue;
                }
                long e = pending.peek();
                eventBytes.putShort(0, (short) EventRing.type(e)).putShort(2, (short) EventRing.code(e))
                        .putInt(4, EventRing.value(e));
                chain.writer().write(eventBytes, 0, EVENT_SIZE);
                q.complete(mem, chain, EVENT_SIZE);
                pending.remove();
                delivered++;
            }
            if (q.shouldNotify(mem)) {
                a.interrupt().signalQueue(EVENT_QUEUE);
            }
        } catch (QueueException | GuestMemoryException e) {
            fail(a, e);
        }
    }

    /** Takes every status entry: LED changes are kept; entries that are not an offered LED or EV_REP are dropped and counted. */
    private void consumeStatus() {
        DeviceActivation a = activation;
        SplitQueue q = a == null || broken ? null : a.queue(STATUS_QUEUE);
        if (q == null) {
            return;
        }
        GuestMemory mem = a.memory();
        try (GuestMemory.Lease lease = mem.lease()) {
            DescriptorChain chain;
            while ((chain = q.pop(mem)) != null) {
                long e = StatusEntry.decode(chain, statusBytes);
                statusEntries++;
                if (e == StatusEntry.MALFORMED || !applyStatus(EventRing.type(e), EventRing.code(e), EventRing.value(e))) {
                    badStatus++;
                }
                q.complete(mem, chain, 0);
            }
            if (q.shouldNotify(mem)) {
                a.interrupt().signalQueue(STATUS_QUEUE);
            }
        } catch (QueueException | GuestMemoryException e) {
            fail(a, e);
        }
    }

    /** EV_LED sets an offered LED; EV_REP (the guest's repeat rate, which it applies itself) is accepted and needs nothing. */
    private boolean applyStatus(int type, int code, int value) {
        if (type == EV_LED && profile.offers(EV_LED, code)) {
            return leds.apply(code, value);
        }
        return type == EV_REP && profile.hasType(EV_REP) && (code == REP_DELAY || code == REP_PERIOD);
    }

    /** A corrupt ring: stop using the queues until the driver resets the device. */
    private void fail(DeviceActivation a, Exception e) {
        broken = true;
        LOG.log(Level.WARNING, name + ": " + e.getMessage());
        a.needsReset(e.getMessage());
    }

    // ---- inspection

    /** A consistent copy of the device's counters. */
    Counters counters() {
        synchronized (lock) {
            DeviceActivation a = activation;
            SplitQueue q = a == null ? null : a.queue(EVENT_QUEUE);
            String eventQueue = a == null ? "no driver" : broken ? "broken" : q == null || !q.isReady() ? "off" : "ready";
            return new Counters(eventQueue, pending.size(), pending.capacity(), delivered, pending.dropped(), ignored,
                    shortBuffers, statusEntries, badStatus, leds.describe(), config.unanswered(), config.readOnlyWrites());
        }
    }

    boolean ledOn(int code) {
        return leds.isOn(code);
    }

    @Override
    public String summary() {
        Counters c = counters();
        StringBuilder sb = new StringBuilder(profile.kind.name().toLowerCase(java.util.Locale.ROOT))
                .append(" for ").append(display).append(", eventq ").append(c.eventQueue())
                .append(", pending ").append(c.pending()).append('/').append(c.capacity())
                .append(", delivered ").append(c.delivered()).append(", dropped ").append(c.dropped());
        if (c.shortBuffers() > 0) {
            sb.append(", short buffers ").append(c.shortBuffers());
        }
        if (c.badStatus() > 0) {
            sb.append(", bad status ").append(c.badStatus());
        }
        if (profile.kind == Kind.KEYBOARD) {
            sb.append(", LEDs ").append(c.leds());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name + " (" + summary() + ")";
    }

    /** The device's counters at one moment. */
    record Counters(String eventQueue, int pending, int capacity, long delivered, long dropped, long ignored,
            long shortBuffers, long statusEntries, long badStatus, String leds, long unansweredSelects, long readOnlyConfigWrites) {
    }
}
