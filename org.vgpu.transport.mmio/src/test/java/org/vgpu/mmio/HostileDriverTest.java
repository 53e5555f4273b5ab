package org.vgpu.mmio;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.mmio.MmioRegisters.*;

import org.vgpu.virtio.testing.EchoDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Register sequences the spec forbids: each is ignored or refused, never an exception. */
class HostileDriverTest {
    private final Fixture f;
    private final LinuxDriver d;

    HostileDriverTest() throws Exception {
        f = new Fixture();
        d = f.driver;
    }

    @AfterEach
    void close() {
        f.close();
    }

    private void upToDriver() {
        d.reset();
        d.addStatus(STATUS_ACKNOWLEDGE);
        d.addStatus(STATUS_DRIVER);
    }

    private void upToFeaturesOk() {
        upToDriver();
        d.writeDriverFeatures(1L << F_VERSION_1);
        assertTrue(d.featuresOk());
    }

    @Test
    void queueEnabledBeforeFeaturesOkIsIgnored() throws Exception {
        upToDriver();
        GuestRing ring = f.ring(0, 8);
        assertFalse(d.setupQueue(0, ring), "QueueReady stays 0 before FEATURES_OK");
        d.writeDriverFeatures(1L << F_VERSION_1);
        assertTrue(d.featuresOk());
        d.writel(0, QUEUE_SEL);
        assertEquals(0, d.readl(QUEUE_READY));
        d.driverOk();
        assertEquals("active", f.transport.state());
        assertNull(f.device.activation().queue(0), "the early setup left no queue behind");
    }

    @Test
    void featuresNotASubsetOfTheOfferedAreRefused() {
        upToDriver();
        d.writeDriverFeatures(1L << F_VERSION_1 | 1L << 5); // bit 5 was never offered
        assertFalse(d.featuresOk(), "FEATURES_OK not kept");
        assertEquals(0, f.device.ackedFeatures(), "the device was told nothing");
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER, d.status());
    }

    @Test
    void featuresWithoutVersion1AreRefused() {
        upToDriver();
        d.writeDriverFeatures(1L << F_RING_EVENT_IDX); // a legacy driver
        assertFalse(d.featuresOk());
    }

    @Test
    void driverFeaturesWrittenAfterFeaturesOkAreIgnored() {
        upToFeaturesOk();
        d.writeDriverFeatures(1L << F_VERSION_1 | 1L << 5);
        d.driverOk();
        assertEquals("active", f.transport.state());
        assertEquals(1L << F_VERSION_1, f.device.ackedFeatures());
    }

    @Test
    void writesToHighDriverFeatureSelectsAreDropped() {
        upToDriver();
        d.writel(2, DRIVER_FEATURES_SEL);
        d.writel(-1, DRIVER_FEATURES);
        d.writeDriverFeatures(1L << F_VERSION_1);
        assertTrue(d.featuresOk(), "the select-2 word did not land anywhere");
    }

    @Test
    void driverOkWithoutFeaturesOkIsNotKept() {
        upToDriver();
        d.driverOk();
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER, d.status());
        assertNull(f.device.activation());
        assertEquals("driver-ok pending", f.transport.state());
    }

    @Test
    void theDriverCannotSetNeedsReset() {
        upToDriver();
        d.addStatus(STATUS_NEEDS_RESET);
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER, d.status());
    }

    @Test
    void statusBitsAreOnlyClearedByReset() {
        upToFeaturesOk();
        d.writel(STATUS_ACKNOWLEDGE, STATUS);
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK, d.status());
    }

    @Test
    void failedIsShown() {
        upToDriver();
        d.addStatus(STATUS_FAILED);
        assertEquals("failed", f.transport.state());
    }

    /** Decision: a QueueNum the ring cannot have is remembered as invalid and QueueReady=1 is refused. */
    @Test
    void queueNumAboveQueueNumMaxRefusesQueueReady() throws Exception {
        upToFeaturesOk();
        assertFalse(d.setupQueue(0, EchoDevice.MAX_QUEUE_SIZE * 2, 0x10000, 0x11000, 0x12000));
        assertTrue(d.setupQueue(0, f.ring(0, 8)), "a valid QueueNum afterwards is accepted");
    }

    @Test
    void queueNumNotAPowerOfTwoRefusesQueueReady() {
        upToFeaturesOk();
        assertFalse(d.setupQueue(0, 100, 0x10000, 0x11000, 0x12000));
        assertFalse(d.setupQueue(0, 0, 0x10000, 0x11000, 0x12000));
        d.driverOk();
        assertNull(f.device.activation().queue(0));
    }

    @Test
    void queueRegistersWrittenWhileReadyAreIgnored() throws Exception {
        upToFeaturesOk();
        GuestRing ring = f.ring(0, 8);
        assertTrue(d.setupQueue(0, ring));
        d.writel(16, QUEUE_NUM);
        d.writel(0x40000, QUEUE_DESC_LOW);
        d.writel(1, QUEUE_DRIVER_HIGH);
        d.writel(0x50000, QUEUE_DEVICE_LOW);
        d.driverOk();
        var q = f.device.activation().queue(0);
        assertEquals(8, q.size());
        assertEquals(ring.desc(), q.descTable());
        assertEquals(ring.driver(), q.availRing());
        assertEquals(ring.device(), q.usedRing());
    }

    @Test
    void aMissingQueueHasNoMaximumAndCannotBeEnabled() {
        upToFeaturesOk();
        for (int sel : new int[] {EchoDevice.QUEUES, 1000, -1}) {
            d.writel(sel, QUEUE_SEL);
            assertEquals(0, d.readl(QUEUE_NUM_MAX));
            d.writel(8, QUEUE_NUM);
            d.writel(1, QUEUE_READY);
            assertEquals(0, d.readl(QUEUE_READY));
        }
    }

    @Test
    void ringsOutsideGuestMemoryMakeDriverOkNeedReset() {
        upToFeaturesOk();
        assertTrue(d.setupQueue(0, 8, Fixture.MEMORY_SIZE + 0x1000, 0x11000, 0x12000));
        d.driverOk();
        assertEquals(STATUS_NEEDS_RESET, d.status() & STATUS_NEEDS_RESET);
        assertNull(f.device.activation(), "the device was not started");
        assertEquals(INT_CONFIG_CHANGE, d.readl(INTERRUPT_STATUS));
        assertTrue(f.transport.state().startsWith("needs reset"));
    }

    @Test
    void misalignedRingsMakeDriverOkNeedReset() {
        upToFeaturesOk();
        assertTrue(d.setupQueue(0, 8, 0x10008, 0x11000, 0x12000)); // descriptors need 16-byte alignment
        d.driverOk();
        assertNotEquals(0, d.status() & STATUS_NEEDS_RESET);
    }

    @Test
    void notifyOnUnsetOrMissingQueuesProcessesNothing() throws Exception {
        GuestRing ring = f.ring(0, 8);
        d.initialize(Fixture.ALL_FEATURES, ring); // queue 1 is left unset
        ring.send(new byte[] {1}); // available, but only a notify of queue 0 may start it
        d.notify(1);
        d.notify(EchoDevice.QUEUES);
        d.notify(0xffff);
        d.notify(-1);
        Thread.sleep(50);
        assertEquals(0, f.device.processed.get());
        assertEquals(0, ring.usedIdx());
        assertEquals("active", f.transport.state());
        d.notify(0);
        assertTrue(Fixture.awaitUsed(ring, 1), "queue 0 still works");
    }

    @Test
    void notifyBeforeDriverOkProcessesNothing() throws Exception {
        upToFeaturesOk();
        d.notify(0);
        Thread.sleep(20);
        assertEquals(0, f.device.processed.get());
    }

    @Test
    void writeOnlyAndReservedRegistersReadZero() {
        upToFeaturesOk();
        for (int reg : new int[] {DEVICE_FEATURES_SEL, DRIVER_FEATURES, DRIVER_FEATURES_SEL, QUEUE_SEL, QUEUE_NUM,
                QUEUE_NOTIFY, INTERRUPT_ACK, QUEUE_DESC_LOW, SHM_SEL, 0x018, 0x03c, 0x0c4, 0x0f8}) {
            assertEquals(0, d.readl(reg), "register 0x" + Integer.toHexString(reg));
        }
    }

    @Test
    void readOnlyRegistersIgnoreWrites() {
        for (int reg : new int[] {MAGIC_VALUE, VERSION_REG, DEVICE_ID, VENDOR_ID_REG, CONFIG_GENERATION}) {
            d.writel(0x12345678, reg);
        }
        assertTrue(d.probe());
        assertEquals(EchoDevice.DEVICE_ID, d.readl(DEVICE_ID));
    }
}
