package org.vgpu.virtio.testing;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.queue.DescriptorChain;
import org.vgpu.virtio.queue.QueueException;
import org.vgpu.virtio.queue.SplitQueue;

/**
 * Test device for the transports' tests (core's test-jar): answers each request with its bytes,
 * each incremented by one. A corrupt ring makes it ask for a reset, as real devices do.
 */
public final class EchoDevice implements VirtioDevice {
    public static final int DEVICE_ID = 42;
    public static final int QUEUES = 2;
    public static final int MAX_QUEUE_SIZE = 256;
    public static final int CONFIG_SIZE = 16;
    public static final long FEATURES = 1L << 32 | 1L << 29 | 1L << 28; // VERSION_1, EVENT_IDX, INDIRECT_DESC

    public final AtomicInteger resets = new AtomicInteger();
    public final AtomicInteger activations = new AtomicInteger();
    public final AtomicInteger processed = new AtomicInteger(); // processQueue calls
    public final ByteBuffer config = ByteBuffer.allocate(CONFIG_SIZE);
    public volatile int generation;
    private volatile DeviceActivation activation;
    private volatile long acked;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(4096);
    private final long offered;

    public EchoDevice() {
        this(FEATURES);
    }

    public EchoDevice(long offered) {
        this.offered = offered;
        for (int i = 0; i < CONFIG_SIZE; i++) {
            config.put(i, (byte) (0xa0 + i));
        }
    }

    @Override public String name() { return "echo0"; }
    @Override public int deviceId() { return DEVICE_ID; }
    @Override public long offeredFeatures() { return offered; }
    @Override public void ackFeatures(long features) { acked = features & offered; }
    @Override public long ackedFeatures() { return acked; }
    @Override public int configSize() { return CONFIG_SIZE; }
    @Override public int configGeneration() { return generation; }
    @Override public int queueCount() { return QUEUES; }
    @Override public int maxQueueSize(int queueIndex) { return MAX_QUEUE_SIZE; }
    @Override public DeviceActivation activation() { return activation; }

    @Override
    public void activate(DeviceActivation a) {
        activations.incrementAndGet();
        activation = a;
    }

    @Override
    public void reset() {
        activation = null;
        acked = 0;
        resets.incrementAndGet();
    }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            dst.put(offset >= 0 && offset < CONFIG_SIZE ? config.get(offset) : 0);
            offset++;
        }
    }

    @Override
    public void writeConfig(int offset, ByteBuffer src) {
        while (src.hasRemaining()) {
            byte b = src.get();
            if (offset >= 0 && offset < CONFIG_SIZE) {
                config.put(offset, b);
            }
            offset++;
        }
    }

    @Override
    public void processQueue(int queueIndex) {
        processed.incrementAndGet();
        DeviceActivation a = activation;
        SplitQueue q = a == null ? null : a.queue(queueIndex);
        if (q == null) {
            return;
        }
        GuestMemory mem = a.memory();
        try (GuestMemory.Lease lease = mem.lease()) {
            DescriptorChain chain;
            while ((chain = q.pop(mem)) != null) {
                int n = chain.reader().read(buf, 0, buf.capacity());
                for (int i = 0; i < n; i++) {
                    buf.put(i, (byte) (buf.get(i) + 1));
                }
                chain.writer().write(buf, 0, n);
                q.complete(mem, chain, chain.writer().written());
            }
            if (q.shouldNotify(mem)) {
                a.interrupt().signalQueue(queueIndex);
            }
        } catch (QueueException | GuestMemoryException e) {
            a.needsReset(e.getMessage());
        }
    }
}
