package org.vgpu.mmio;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.mmio.MmioRegisters.*;

import org.vgpu.virtio.testing.EchoDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Access widths, alignment and range: bad reads are 0, bad writes do nothing. */
class RegisterAccessTest {
    private final Fixture f;
    private final MmioTransport t;

    RegisterAccessTest() throws Exception {
        f = new Fixture();
        t = f.transport;
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void unalignedRegisterReadsAreZero() {
        assertEquals(0, t.read(MAGIC_VALUE + 1, 4));
        assertEquals(0, t.read(MAGIC_VALUE + 2, 4));
        assertEquals(0, t.read(VERSION_REG + 3, 4));
    }

    @Test
    void narrowRegisterReadsAreZero() {
        assertEquals(0, t.read(MAGIC_VALUE, 1));
        assertEquals(0, t.read(MAGIC_VALUE, 2));
        assertEquals(0, t.read(MAGIC_VALUE, 3));
        assertEquals(0, t.read(MAGIC_VALUE, 0));
        assertEquals(0, t.read(MAGIC_VALUE, -4));
    }

    @Test
    void eightByteAccessToAFourByteRegisterIsRefused() {
        assertEquals(0, t.read(MAGIC_VALUE, 8));
        f.driver.reset();
        f.driver.addStatus(STATUS_ACKNOWLEDGE);
        t.write(STATUS, 8, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        assertEquals(STATUS_ACKNOWLEDGE, f.driver.status());
        t.write(STATUS, 8, 0); // not a reset either
        assertEquals(STATUS_ACKNOWLEDGE, f.driver.status());
    }

    @Test
    void outOfRangeReadsAreZero() {
        assertEquals(0, t.read(-4, 4));
        assertEquals(0, t.read(WINDOW_SIZE, 4));
        assertEquals(0, t.read(WINDOW_SIZE + MAGIC_VALUE, 4));
        assertEquals(0, t.read(Long.MAX_VALUE, 4));
        assertEquals(0, t.read(Long.MIN_VALUE, 4));
        assertEquals(0, t.read(0x0d0, 4), "reserved register");
    }

    @Test
    void unalignedNarrowAndOutOfRangeWritesAreIgnored() {
        f.driver.reset();
        f.driver.addStatus(STATUS_ACKNOWLEDGE);
        t.write(STATUS + 1, 4, 0);
        t.write(STATUS, 2, 0);
        t.write(STATUS, 1, 0);
        t.write(STATUS - WINDOW_SIZE, 4, 0);
        t.write(STATUS + WINDOW_SIZE, 4, 0);
        t.write(Long.MAX_VALUE, 4, 0);
        t.write(-1, 4, 0);
        assertEquals(STATUS_ACKNOWLEDGE, f.driver.status(), "none of them was a reset");
        t.write(INTERRUPT_ACK, 3, -1);
        t.write(QUEUE_SEL, 16, 1);
        assertEquals(EchoDevice.MAX_QUEUE_SIZE, f.driver.readl(QUEUE_NUM_MAX), "QueueSel still 0");
    }

    @Test
    void valuesAreZeroExtended() {
        assertEquals(0x74726976L, t.read(MAGIC_VALUE, 4));
        f.driver.writel(7, SHM_SEL); // no such region: all ones in the low 32 bits only
        assertEquals(0xffffffffL, t.read(SHM_LEN_LOW, 4));
    }

    @Test
    void configReadsInEveryWidth() {
        assertEquals(0xa0, t.read(CONFIG, 1));
        assertEquals(0xa3, t.read(CONFIG + 3, 1));
        assertEquals(0xa3a2, t.read(CONFIG + 2, 2));
        assertEquals(0xa7a6a5a4L, t.read(CONFIG + 4, 4));
        assertEquals(0xafaeadacabaaa9a8L, t.read(CONFIG + 8, 8));
    }

    @Test
    void configReadsPastTheConfigSizeAreZero() {
        assertEquals(0, t.read(CONFIG + EchoDevice.CONFIG_SIZE, 4));
        assertEquals(0, t.read(CONFIG + 0x200, 1));
        assertEquals(0, t.read(WINDOW_SIZE - 4, 4));
        assertEquals(0xafaeadacL, t.read(CONFIG + 12, 8), "the high half is past the end");
    }

    @Test
    void misalignedOrOddConfigAccessesAreRefused() {
        assertEquals(0, t.read(CONFIG + 1, 2));
        assertEquals(0, t.read(CONFIG + 2, 4));
        assertEquals(0, t.read(CONFIG + 2, 8));
        assertEquals(0, t.read(CONFIG, 3));
        assertEquals(0, t.read(WINDOW_SIZE - 4, 8), "would run past the window");
        t.write(CONFIG + 1, 2, 0);
        t.write(CONFIG, 3, 0);
        assertEquals(0xa3a2a1a0L, t.read(CONFIG, 4));
    }

    @Test
    void configWritesReachTheDevice() {
        t.write(CONFIG + 4, 2, 0xbeef);
        assertEquals((byte) 0xef, f.device.config.get(4));
        assertEquals((byte) 0xbe, f.device.config.get(5));
        t.write(CONFIG + 8, 8, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, t.read(CONFIG + 8, 8));
        t.write(CONFIG + EchoDevice.CONFIG_SIZE, 4, -1); // past the end: ignored
        assertEquals(0, t.read(CONFIG + EchoDevice.CONFIG_SIZE, 4));
    }
}
