package org.vgpu.mmio;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.mmio.MmioRegisters.*;

import org.vgpu.virtio.testing.EchoDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The happy path, register by register as Linux's virtio_mmio driver walks it. */
class LinuxBringUpTest {
    private final Fixture f;

    LinuxBringUpTest() throws Exception {
        f = new Fixture();
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void identifiesAsAVersion2Device() {
        LinuxDriver d = f.driver;
        assertEquals(0x74726976, d.readl(MAGIC_VALUE));
        assertEquals(2, d.readl(VERSION_REG));
        assertEquals(EchoDevice.DEVICE_ID, d.readl(DEVICE_ID));
        assertEquals(0x47505556, d.readl(VENDOR_ID_REG));
        assertTrue(d.probe());
        assertEquals(0x1000, f.transport.windowSize());
    }

    @Test
    void offersTheDeviceFeaturesPlusRingReset() {
        assertEquals(EchoDevice.FEATURES | 1L << F_RING_RESET, f.driver.deviceFeatures());
    }

    @Test
    void highFeatureSelectsReadZero() {
        f.driver.writel(2, DEVICE_FEATURES_SEL);
        assertEquals(0, f.driver.readl(DEVICE_FEATURES));
        f.driver.writel(-1, DEVICE_FEATURES_SEL);
        assertEquals(0, f.driver.readl(DEVICE_FEATURES));
    }

    @Test
    void bringUpThenARequestIsEchoedAfterQueueNotify() throws Exception {
        LinuxDriver d = f.driver;
        assertTrue(d.probe());
        d.reset();
        assertEquals(0, d.status());
        d.addStatus(STATUS_ACKNOWLEDGE);
        d.addStatus(STATUS_DRIVER);
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER, d.status());
        long offered = d.deviceFeatures();
        long wanted = offered & (1L << F_VERSION_1 | 1L << F_RING_EVENT_IDX);
        d.writeDriverFeatures(wanted);
        assertTrue(d.featuresOk(), "FEATURES_OK read back");
        assertEquals(wanted, f.device.ackedFeatures());
        GuestRing ring0 = f.ring(0, 8);
        GuestRing ring1 = f.ring(1, 16);
        assertTrue(d.setupQueue(0, ring0));
        assertTrue(d.setupQueue(1, ring1));
        assertEquals("driver-ok pending", f.transport.state());
        assertNull(f.device.activation(), "nothing runs before DRIVER_OK");
        d.driverOk();
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK, d.status());
        assertEquals("active", f.transport.state());
        assertEquals(8, f.device.activation().queue(0).size());
        assertEquals(16, f.device.activation().queue(1).size());

        ring1.send(new byte[] {1, 2, 3});
        d.notify(1);
        assertTrue(Fixture.awaitUsed(ring1, 1), "request processed");
        assertEquals(3, ring1.usedLen(0));
        assertArrayEquals(new byte[] {2, 3, 4}, ring1.response(0, 3));
        assertTrue(Fixture.await(() -> f.irqs.get() == 1), "IRQ line triggered");
        assertEquals(INT_USED_BUFFER, d.readl(INTERRUPT_STATUS));
        assertEquals(INT_USED_BUFFER, d.interrupt());
        assertEquals(0, d.readl(INTERRUPT_STATUS), "InterruptACK clears the bit");
        assertEquals(0, ring0.usedIdx(), "the other queue saw nothing");
    }

    @Test
    void manyRequestsOnBothQueues() throws Exception {
        GuestRing ring0 = f.ring(0, 8);
        GuestRing ring1 = f.ring(1, 8);
        f.driver.initialize(Fixture.ALL_FEATURES, ring0, ring1);
        for (int i = 0; i < 20; i++) {
            ring0.send(new byte[] {(byte) i});
            f.driver.notify(0);
            assertTrue(Fixture.awaitUsed(ring0, i + 1));
            assertArrayEquals(new byte[] {(byte) (i + 1)}, ring0.response(i, 1));
            ring1.send(new byte[] {(byte) (100 + i)});
            f.driver.notify(1);
            assertTrue(Fixture.awaitUsed(ring1, i + 1));
            assertArrayEquals(new byte[] {(byte) (101 + i)}, ring1.response(i, 1));
        }
    }

    @Test
    void aKickOnTheEventFdWorksLikeQueueNotify() throws Exception {
        // what a KVM ioeventfd bound at queueNotifyOffset() does without an exit to us
        GuestRing ring = f.ring(0, 8);
        f.driver.initialize(Fixture.ALL_FEATURES, ring);
        assertEquals(QUEUE_NOTIFY, f.transport.queueNotifyOffset());
        ring.send(new byte[] {9});
        f.transport.kickFd(0).signal();
        assertTrue(Fixture.awaitUsed(ring, 1));
        assertArrayEquals(new byte[] {10}, ring.response(0, 1));
    }

    @Test
    void resetStopsEverythingAndAFreshInitWorks() throws Exception {
        GuestRing ring = f.ring(0, 8);
        f.driver.initialize(Fixture.ALL_FEATURES, ring);
        ring.send(new byte[] {1});
        f.driver.notify(0);
        assertTrue(Fixture.awaitUsed(ring, 1));
        assertTrue(Fixture.await(() -> f.driver.readl(INTERRUPT_STATUS) != 0));
        int resetsBefore = f.device.resets.get();

        f.driver.writel(0, STATUS);

        assertEquals(0, f.driver.status());
        assertEquals("reset", f.transport.state());
        assertEquals(resetsBefore + 1, f.device.resets.get());
        assertNull(f.device.activation());
        assertEquals(0, f.driver.readl(INTERRUPT_STATUS));
        for (int q = 0; q < EchoDevice.QUEUES; q++) {
            f.driver.writel(q, QUEUE_SEL);
            assertEquals(0, f.driver.readl(QUEUE_READY));
        }
        // a notify after reset processes nothing
        ring.send(new byte[] {2});
        f.driver.notify(0);
        Thread.sleep(50);
        assertEquals(1, ring.usedIdx());

        // driver features were forgotten: FEATURES_OK without writing them again is refused
        f.driver.addStatus(STATUS_ACKNOWLEDGE);
        f.driver.addStatus(STATUS_DRIVER);
        assertFalse(f.driver.featuresOk());
        f.driver.reset();

        GuestRing fresh = f.ring(0, 8);
        f.driver.initialize(Fixture.ALL_FEATURES, fresh);
        assertEquals(2, f.device.activations.get());
        fresh.send(new byte[] {41});
        f.driver.notify(0);
        assertTrue(Fixture.awaitUsed(fresh, 1));
        assertArrayEquals(new byte[] {42}, fresh.response(0, 1));
    }

    @Test
    void withoutEventIdxTheDriverCanSuppressInterrupts() throws Exception {
        GuestRing ring = f.ring(0, 8);
        f.driver.initialize(1L << F_VERSION_1, ring);
        f.memory.writeShort(ring.driver(), (short) 1); // VRING_AVAIL_F_NO_INTERRUPT
        ring.send(new byte[] {1});
        f.driver.notify(0);
        assertTrue(Fixture.awaitUsed(ring, 1));
        Thread.sleep(20);
        assertEquals(0, f.irqs.get());
        assertEquals(0, f.driver.readl(INTERRUPT_STATUS));
    }

    @Test
    void configGenerationComesFromTheDevice() {
        f.device.generation = 7;
        assertEquals(7, f.driver.readl(CONFIG_GENERATION));
    }

    @Test
    void closeResetsTheDevice() {
        f.driver.initialize(Fixture.ALL_FEATURES);
        assertNotNull(f.device.activation());
        f.transport.close();
        assertNull(f.device.activation());
    }
}
