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

    /** A ring with its avail index in guest memory at AVAIL, as a driver fills it. */
    private static SplitQueue ring() {
        SplitQueue q = new SplitQueue(0, 8);
        q.setAddresses(0x0, AVAIL, 0x2000);
        q.setReady(true);
        return q;
    }

    private static final long AVAIL = 0x1000;

    @Test
    void busyPollingServesARequestThatCameWithoutAKickAndStopsPromptly() throws Exception {
        SplitQueue q = ring();
        BasicActivation activation = activation(q);
        EventFd kick = eventFd();
        QueueWorker worker = new QueueWorker(new FakeDevice(processed, null, activation), activation, new EventFd[] {kick},
                new PollWindow(TimeUnit.SECONDS.toNanos(30), TimeUnit.SECONDS.toNanos(30)));
        worker.start();
        try {
            activation.memory().writeShort(AVAIL + 2, (short) 1);
            kick.signal();
            assertEquals(0, processed.poll(5, TimeUnit.SECONDS), "the kicked request");
            activation.memory().writeShort(AVAIL + 2, (short) 2); // the driver saw the device polling: no kick
            assertEquals(0, processed.poll(5, TimeUnit.SECONDS), "the request found by polling the ring");
            assertEquals(2, q.nextAvail());
            assertEquals(1, q.stats().kicks());
        } finally {
            assertTimeoutPreemptively(Duration.ofSeconds(2), worker::stop, "stop while busy-polling");
        }
        assertFalse(worker.isRunning());
    }

    @Test
    void withoutPollingARequestWaitsForItsKick() throws Exception {
        SplitQueue q = ring();
        BasicActivation activation = activation(q);
        EventFd kick = eventFd();
        QueueWorker worker = new QueueWorker(new FakeDevice(processed, null, activation), activation, new EventFd[] {kick}, 0);
        worker.start();
        try {
            activation.memory().writeShort(AVAIL + 2, (short) 1);
            kick.signal();
            assertEquals(0, processed.poll(5, TimeUnit.SECONDS));
            activation.memory().writeShort(AVAIL + 2, (short) 2);
            assertNull(processed.poll(300, TimeUnit.MILLISECONDS), "served without a kick");
            kick.signal();
            assertEquals(0, processed.poll(5, TimeUnit.SECONDS));
        } finally {
            worker.stop();
        }
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

    /** Records processQueue calls; optionally fails each one, or takes all the queue's available chains. */
    private static final class FakeDevice implements VirtioDevice {
        private final BlockingQueue<Integer> processed;
        private final RuntimeException failure;
        private final BasicActivation drains;

        FakeDevice(BlockingQueue<Integer> processed, RuntimeException failure) {
            this(processed, failure, null);
        }

        FakeDevice(BlockingQueue<Integer> processed, RuntimeException failure, BasicActivation drains) {
            this.processed = processed;
            this.failure = failure;
            this.drains = drains;
        }

        @Override
        public void processQueue(int queueIndex) {
            if (drains != null) {
                SplitQueue q = drains.queue(queueIndex);
                try {
                    q.setNextAvail(drains.memory().readShort(q.availRing() + 2));
                } catch (org.vgpu.virtio.memory.GuestMemoryException e) {
                    throw new IllegalStateException(e);
                }
            }
            processed.add(queueIndex); // after the chains are taken: the test then adds the next one
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
