package org.vgpu.mmio;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.mmio.MmioRegisters.*;

import org.vgpu.virtio.testing.EchoDevice;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the device tells the driver on its own: needing a reset, config changes, shared memory. */
class DeviceEventsTest {
    private Fixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void needsResetSetsStatusBitAndRaisesAConfigInterrupt() throws Exception {
        f = new Fixture();
        GuestRing ring = f.ring(0, 8);
        f.driver.initialize(Fixture.ALL_FEATURES, ring);
        f.device.activation().needsReset("test");

        assertEquals(STATUS_NEEDS_RESET, f.driver.status() & STATUS_NEEDS_RESET);
        assertNotEquals(0, f.driver.status() & STATUS_DRIVER_OK, "DRIVER_OK stays");
        assertEquals(INT_CONFIG_CHANGE, f.driver.interrupt());
        assertEquals(1, f.irqs.get());
        assertEquals("needs reset: test", f.transport.state());

        f.driver.reset();
        assertEquals(0, f.driver.status());
        assertEquals("reset", f.transport.state());
    }

    @Test
    void aCorruptRingFoundByTheDeviceNeedsReset() throws Exception {
        f = new Fixture();
        GuestRing ring = f.ring(0, 8);
        f.driver.initialize(Fixture.ALL_FEATURES, ring);
        ring.corruptAvailIdx();
        f.driver.notify(0);
        assertTrue(Fixture.await(() -> (f.driver.status() & STATUS_NEEDS_RESET) != 0));
        assertTrue(Fixture.await(() -> (f.driver.readl(INTERRUPT_STATUS) & INT_CONFIG_CHANGE) != 0));
        assertFalse(f.device.activation().queue(0).isReady(), "the queue is out of service");

        GuestRing fresh = f.ring(0, 8); // and the driver recovers by resetting
        f.driver.initialize(Fixture.ALL_FEATURES, fresh);
        fresh.send(new byte[] {1});
        f.driver.notify(0);
        assertTrue(Fixture.awaitUsed(fresh, 1));
    }

    @Test
    void configChangeSetsBitOne() throws Exception {
        f = new Fixture();
        f.driver.initialize(Fixture.ALL_FEATURES);
        f.device.activation().interrupt().signalConfig();
        assertEquals(1, f.irqs.get());
        assertEquals(INT_CONFIG_CHANGE, f.driver.readl(INTERRUPT_STATUS));
        f.driver.writel(INT_USED_BUFFER, INTERRUPT_ACK); // acknowledging another reason clears nothing
        assertEquals(INT_CONFIG_CHANGE, f.driver.readl(INTERRUPT_STATUS));
        f.driver.writel(INT_CONFIG_CHANGE, INTERRUPT_ACK);
        assertEquals(0, f.driver.readl(INTERRUPT_STATUS));
    }

    @Test
    void sharedMemoryRegionsAreDescribed() throws Exception {
        f = new Fixture(List.of(new SharedMemoryRegion(1, 0x1_2000_0000L, 0x4000_0000L),
                new SharedMemoryRegion(0, 0x8000_0000L, 0x1000)));
        LinuxDriver d = f.driver;
        d.writel(1, SHM_SEL);
        assertEquals(0x4000_0000, d.readl(SHM_LEN_LOW));
        assertEquals(0, d.readl(SHM_LEN_HIGH));
        assertEquals(0x2000_0000, d.readl(SHM_BASE_LOW));
        assertEquals(1, d.readl(SHM_BASE_HIGH));
        d.writel(0, SHM_SEL);
        assertEquals(0x1000, d.readl(SHM_LEN_LOW));
        assertEquals(0x8000_0000, d.readl(SHM_BASE_LOW));
        assertEquals(0, d.readl(SHM_BASE_HIGH));
    }

    @Test
    void aMissingSharedMemoryRegionReadsAllOnes() throws Exception {
        f = new Fixture(List.of(new SharedMemoryRegion(1, 0x1_0000_0000L, 0x1000)));
        for (int id : new int[] {0, 2, 255, 0x100, -1}) {
            f.driver.writel(id, SHM_SEL);
            assertEquals(-1, f.driver.readl(SHM_LEN_LOW), "id " + id);
            assertEquals(-1, f.driver.readl(SHM_LEN_HIGH));
            assertEquals(-1, f.driver.readl(SHM_BASE_LOW));
            assertEquals(-1, f.driver.readl(SHM_BASE_HIGH));
        }
    }

    @Test
    void resetForgetsTheSharedMemorySelect() throws Exception {
        f = new Fixture(List.of(new SharedMemoryRegion(0, 0x1_0000_0000L, 0x1000)));
        f.driver.writel(5, SHM_SEL);
        f.driver.reset();
        assertEquals(0x1000, f.driver.readl(SHM_LEN_LOW));
    }

    @Test
    void badSharedMemoryRegionsAreRejectedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new SharedMemoryRegion(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SharedMemoryRegion(-1, 0, 0x1000));
        assertThrows(IllegalArgumentException.class, () -> new SharedMemoryRegion(1, -0x1000, 0x2000));
    }

    @Test
    void anOldActivationCannotReachTheNextSession() throws Exception {
        f = new Fixture();
        f.driver.initialize(Fixture.ALL_FEATURES);
        var old = f.device.activation();
        f.driver.reset();
        old.interrupt().signalConfig();
        old.interrupt().signalQueue(0);
        old.needsReset("late");
        assertEquals(0, f.irqs.get());
        assertEquals(0, f.driver.readl(INTERRUPT_STATUS));
        assertEquals(0, f.driver.status());
        assertEquals("reset", f.transport.state());
    }

    @Test
    void transportFeaturesWeDoNotImplementAreNotOffered() throws Exception {
        long packed = 1L << 34;
        long notificationData = 1L << 38;
        f = new Fixture(new EchoDevice(EchoDevice.FEATURES | packed | notificationData), List.of());
        assertEquals(EchoDevice.FEATURES | 1L << F_RING_RESET, f.driver.deviceFeatures());
    }

    @Test
    void aClosedTransportIsInert() throws Exception {
        f = new Fixture();
        f.driver.initialize(Fixture.ALL_FEATURES);
        f.transport.close();
        assertEquals("closed", f.transport.state());
        assertNull(f.device.activation());
        assertEquals(0, f.driver.readl(MAGIC_VALUE));
        f.driver.notify(0); // its kick eventfd is gone: nothing may touch it
        f.driver.writel(STATUS_ACKNOWLEDGE, STATUS);
        assertEquals(0, f.driver.status());
    }
}
