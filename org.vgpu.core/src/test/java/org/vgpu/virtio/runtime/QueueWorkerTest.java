package org.vgpu.virtio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.sys.EventFd;

class QueueWorkerTest {

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final BlockingQueue<Integer> processed = new LinkedBlockingQueue<>();
    private final List<String> resets = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private BasicActivation activation(SplitQueue... queues) throws Exception {
        GuestMemoryMap memory = new GuestMemoryMap();
        closeables.add(memory);
        memory.addRegion(MemoryRegion.anonymous(0, 1 << 16));
        EventFdInterrupt interrupt = new EventFdInterrupt(queues.length, () -> { });
        return new BasicActivation(memory, queues, interrupt, resets::add, "test");
    }

    private EventFd eventFd() throws Exception {
        EventFd e = EventFd.create(true);
        closeables.add(e);
        return e;
    }

    @Test
    void processesAQueueOnlyAfterItsKick() throws Exception {
        SplitQueue q0 = new SplitQueue(0, 8);
        SplitQueue q1 = new SplitQueue(1, 8);
        BasicActivation activation = activation(q0, q1);
        EventFd kick0 = eventFd();
        EventFd kick1 = eventFd();
        QueueWorker worker = new QueueWorker(new FakeDevice(processed, null), activation, new EventFd[] {kick0, kick1});
        worker.start();
        try {
            assertNull(processed.poll(200, TimeUnit.MILLISECONDS), "processQueue before any kick");
            kick1.signal();
            assertEquals(1, processed.poll(5, TimeUnit.SECONDS));
            kick0.signal();
            assertEquals(0, processed.poll(5, TimeUnit.SECONDS));
            assertNull(processed.poll(100, TimeUnit.MILLISECONDS), "one kick, one call");
            assertEquals(1, q0.stats().kicks());
            assertEquals(1, q1.stats().kicks());
            assertEquals(0, kick1.consume(), "the worker consumed the kick");
        } finally {
            assertTimeoutPreemptively(Duration.ofSeconds(2), worker::stop);
        }
        assertFalse(worker.isRunning());
    }

    @Test
    void stopReturnsPromptlyWhenIdle() throws Exception {
        QueueWorker worker = new QueueWorker(new FakeDevice(processed, null), activation(new SplitQueue(0, 8)),
                new EventFd[] {eventFd()});
        worker.start();
        Thread.sleep(50);
        assertTimeoutPreemptively(Duration.ofMillis(500), worker::stop);
        assertFalse(worker.isRunning());
        worker.stop(); // idempotent
    }

    @Test
    void unservedQueuesAreSkippedAndNeverStartedWorkerStops() throws Exception {
        QueueWorker worker = new QueueWorker(new FakeDevice(processed, null), activation(null, new SplitQueue(1, 8)),
                new EventFd[] {null, eventFd()});
        assertTimeoutPreemptively(Duration.ofMillis(500), worker::stop);
    }

    @Test
    void aFailingDeviceAsksForResetAndKeepsServing() throws Exception {
        EventFd kick = eventFd();
        BasicActivation activation = activation(new SplitQueue(0, 8));
        QueueWorker worker = new QueueWorker(new FakeDevice(processed, new IllegalStateException("boom")), activation,
                new EventFd[] {kick});
        worker.start();
        try {
            kick.signal();
            assertEquals(0, processed.poll(5, TimeUnit.SECONDS));
            kick.signal();
            assertEquals(0, processed.poll(5, TimeUnit.SECONDS));
        } finally {
            worker.stop();
        }
        assertTrue(resets.get(0).contains("boom"), resets.toString());
    }

    @Test
    void eventFdInterruptSignalsTheQueueCallFd() throws Exception {
        EventFd call = eventFd();
        int[] configChanges = {0};
        EventFdInterrupt interrupt = new EventFdInterrupt(2, () -> configChanges[0]++);
        interrupt.setCallFd(1, call);
        interrupt.signalQueue(1);
        interrupt.signalQueue(1);
        interrupt.signalQueue(0); // no call fd: ignored
        interrupt.signalQueue(7); // out of range: ignored
        assertEquals(2, call.consume());
        interrupt.signalConfig();
        assertEquals(1, configChanges[0]);
    }

    /** Records processQueue calls; optionally fails each one. */
    private static final class FakeDevice implements VirtioDevice {
        private final BlockingQueue<Integer> processed;
        private final RuntimeException failure;

        FakeDevice(BlockingQueue<Integer> processed, RuntimeException failure) {
            this.processed = processed;
            this.failure = failure;
        }

        @Override
        public void processQueue(int queueIndex) {
            processed.add(queueIndex);
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public int deviceId() {
            return 0;
        }

        @Override
        public long offeredFeatures() {
            return 0;
        }

        @Override
        public void ackFeatures(long features) {
        }

        @Override
        public long ackedFeatures() {
            return 0;
        }

        @Override
        public int configSize() {
            return 0;
        }

        @Override
        public void readConfig(int offset, ByteBuffer dst) {
        }

        @Override
        public void writeConfig(int offset, ByteBuffer src) {
        }

        @Override
        public int configGeneration() {
            return 0;
        }

        @Override
        public int queueCount() {
            return 2;
        }

        @Override
        public int maxQueueSize(int queueIndex) {
            return 8;
        }

        @Override
        public void activate(DeviceActivation activation) {
        }

        @Override
        public void reset() {
        }

        @Override
        public DeviceActivation activation() {
            return null;
        }
    }
}
