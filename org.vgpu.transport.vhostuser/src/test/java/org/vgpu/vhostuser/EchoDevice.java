package org.vgpu.vhostuser;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.queue.DescriptorChain;
import org.vgpu.virtio.queue.QueueException;
import org.vgpu.virtio.queue.SplitQueue;

/** Test device: answers each request with its bytes, each incremented by one. */
final class EchoDevice implements VirtioDevice {
    static final long FEATURES = 1L << 32 | 1L << 29 | 1L << 28;
    final AtomicInteger resets = new AtomicInteger();
    final ByteBuffer config = ByteBuffer.allocate(16);
    private volatile DeviceActivation activation;
    private long acked;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(4096);

    EchoDevice() {
        for (int i = 0; i < 16; i++) {
            config.put(i, (byte) (0xa0 + i));
        }
    }

    @Override public String name() { return "echo0"; }
    @Override public int deviceId() { return 42; }
    @Override public long offeredFeatures() { return FEATURES; }
    @Override public void ackFeatures(long features) { acked = features & FEATURES; }
    @Override public long ackedFeatures() { return acked; }
    @Override public int configSize() { return 16; }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            dst.put(offset >= 0 && offset < 16 ? config.get(offset) : 0);
            offset++;
        }
    }

    @Override
    public void writeConfig(int offset, ByteBuffer src) {
        while (src.hasRemaining()) {
            byte b = src.get();
            if (offset >= 0 && offset < 16) {
                config.put(offset, b);
            }
            offset++;
        }
    }

    @Override public int configGeneration() { return 0; }
    @Override public int queueCount() { return 2; }
    @Override public int maxQueueSize(int queueIndex) { return 256; }
    @Override public void activate(DeviceActivation a) { activation = a; }
    @Override public DeviceActivation activation() { return activation; }

    @Override
    public void reset() {
        activation = null;
        resets.incrementAndGet();
    }

    @Override
    public void processQueue(int queueIndex) {
        DeviceActivation a = activation;
        if (a == null) {
            return;
        }
        GuestMemory mem = a.memory();
        SplitQueue q = a.queue(queueIndex);
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
        } catch (QueueException e) {
            a.needsReset(e.getMessage());
        } catch (GuestMemoryException e) {
            a.needsReset(e.getMessage());
        }
    }
}
