package org.vgpu.mmio;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.mmio.MmioRegisters.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** QueueReset (VIRTIO_F_RING_RESET) and QueueReady=0 take one queue out of service, not the device. */
class QueueResetTest {
    private final Fixture f;
    private final LinuxDriver d;

    QueueResetTest() throws Exception {
        f = new Fixture();
        d = f.driver;
    }

    @AfterEach
    void close() {
        f.close();
    }

    private static void echo(LinuxDriver d, GuestRing ring, int queue, int k, byte value) throws Exception {
        ring.send(new byte[] {value});
        d.notify(queue);
        assertTrue(Fixture.awaitUsed(ring, k + 1), "queue " + queue + " request " + k);
        assertArrayEquals(new byte[] {(byte) (value + 1)}, ring.response(k, 1));
    }

    @Test
    void queueResetResetsOnlyThatQueue() throws Exception {
        GuestRing ring0 = f.ring(0, 8);
        GuestRing ring1 = f.ring(1, 8);
        d.initialize(Fixture.ALL_FEATURES, ring0, ring1); // includes RING_RESET
        echo(d, ring0, 0, 0, (byte) 1);
        echo(d, ring1, 1, 0, (byte) 2);

        d.writel(1, QUEUE_SEL);
        d.writel(1, QUEUE_RESET);

        assertEquals(0, d.readl(QUEUE_RESET), "the reset is complete");
        assertEquals(0, d.readl(QUEUE_READY));
        assertFalse(f.device.activation().queue(1).isReady());
        d.writel(0, QUEUE_SEL);
        assertEquals(1, d.readl(QUEUE_READY), "queue 0 untouched");
        assertEquals("active", f.transport.state());
        echo(d, ring0, 0, 1, (byte) 3);

        ring1.send(new byte[] {4});
        d.notify(1);
        Thread.sleep(50);
        assertEquals(1, ring1.usedIdx(), "a reset queue processes nothing");

        GuestRing again = f.ring(1, 16); // the driver sets it up anew, from index 0
        assertTrue(d.setupQueue(1, again));
        assertEquals(16, f.device.activation().queue(1).size());
        echo(d, again, 1, 0, (byte) 5);
        echo(d, ring0, 0, 2, (byte) 6);
    }

    @Test
    void queueResetWithoutRingResetNegotiatedIsIgnored() throws Exception {
        GuestRing ring0 = f.ring(0, 8);
        d.initialize(1L << F_VERSION_1, ring0);
        d.writel(0, QUEUE_SEL);
        d.writel(1, QUEUE_RESET);
        assertEquals(1, d.readl(QUEUE_READY));
        echo(d, ring0, 0, 0, (byte) 1);
    }

    @Test
    void queueResetBeforeDriverOkClearsTheRegisters() throws Exception {
        d.reset();
        d.addStatus(STATUS_ACKNOWLEDGE);
        d.addStatus(STATUS_DRIVER);
        d.writeDriverFeatures(1L << F_VERSION_1 | 1L << F_RING_RESET);
        assertTrue(d.featuresOk());
        assertTrue(d.setupQueue(0, f.ring(0, 8)));
        d.writel(0, QUEUE_SEL);
        d.writel(1, QUEUE_RESET);
        assertEquals(0, d.readl(QUEUE_READY));
        d.driverOk();
        assertNull(f.device.activation().queue(0));
    }

    @Test
    void aQueueNotPartOfTheActivationCannotBeEnabledLater() throws Exception {
        GuestRing ring0 = f.ring(0, 8);
        d.initialize(Fixture.ALL_FEATURES, ring0);
        assertFalse(d.setupQueue(1, f.ring(1, 8)), "the device was activated without queue 1");
    }

    @Test
    void reenablingWithABadRingNeedsReset() throws Exception {
        GuestRing ring0 = f.ring(0, 8);
        d.initialize(Fixture.ALL_FEATURES, ring0);
        d.writel(0, QUEUE_SEL);
        d.writel(1, QUEUE_RESET);
        assertFalse(d.setupQueue(0, 8, Fixture.MEMORY_SIZE, 0x11000, 0x12000));
        assertNotEquals(0, d.status() & STATUS_NEEDS_RESET);
    }

    @Test
    void queueReadyZeroStopsTheQueue() throws Exception {
        GuestRing ring0 = f.ring(0, 8);
        GuestRing ring1 = f.ring(1, 8);
        d.initialize(Fixture.ALL_FEATURES, ring0, ring1);
        d.writel(0, QUEUE_SEL);
        d.writel(0, QUEUE_READY);
        assertEquals(0, d.readl(QUEUE_READY)); // what vm_del_vq checks
        ring0.send(new byte[] {1});
        d.notify(0);
        Thread.sleep(50);
        assertEquals(0, ring0.usedIdx());
        echo(d, ring1, 1, 0, (byte) 7);
    }
}
