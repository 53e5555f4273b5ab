package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The 16550 registers as the 8250 driver probes and uses them. */
class Serial16550Test {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Boolean> irq = new ArrayList<>();
    private final Serial16550 uart = new Serial16550(out, irq::add);

    private boolean irqHigh() {
        return !irq.isEmpty() && irq.get(irq.size() - 1);
    }

    @Test
    void transmittedBytesReachTheStreamAndTheTransmitterStaysEmpty() {
        for (byte b : "ok\n".getBytes(StandardCharsets.US_ASCII)) {
            uart.write(Serial16550.RBR_THR_DLL, 1, b);
        }
        assertEquals("ok\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals(0x60, uart.read(Serial16550.LSR, 1)); // THRE | TEMT, no data
        assertTrue(irq.isEmpty(), "no interrupt while IER is 0");
    }

    @Test
    void divisorLatchHidesBehindDlab() {
        uart.write(Serial16550.LCR, 1, 0x80);
        uart.write(Serial16550.RBR_THR_DLL, 1, 0x01);
        uart.write(Serial16550.IER_DLM, 1, 0x00);
        assertEquals(0x01, uart.read(Serial16550.RBR_THR_DLL, 1));
        uart.write(Serial16550.LCR, 1, 0x03);
        assertEquals(0x03, uart.read(Serial16550.LCR, 1));
        assertEquals(0, uart.read(Serial16550.IER_DLM, 1));
        assertEquals("", out.toString(StandardCharsets.US_ASCII)); // the divisor write was not output
    }

    @Test
    void scratchAndLoopbackAsAutoconfigProbesThem() {
        uart.write(Serial16550.SCR, 1, 0xa5);
        assertEquals(0xa5, uart.read(Serial16550.SCR, 1));
        uart.write(Serial16550.MCR, 1, 0x10 | 0x0a); // loop, RTS, OUT2
        assertEquals(0x90, uart.read(Serial16550.MSR, 1) & 0xf0); // CTS | DCD
        uart.write(Serial16550.RBR_THR_DLL, 1, 'x'); // loops back into the receiver
        assertEquals(0x01, uart.read(Serial16550.LSR, 1) & 0x01);
        assertEquals('x', uart.read(Serial16550.RBR_THR_DLL, 1));
        assertEquals("", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void fifoEnableShowsIn16550AIir() {
        uart.write(Serial16550.IIR_FCR, 1, 0x07);
        assertEquals(0xc1, uart.read(Serial16550.IIR_FCR, 1));
        uart.write(Serial16550.IIR_FCR, 1, 0x00);
        assertEquals(0x01, uart.read(Serial16550.IIR_FCR, 1));
    }

    @Test
    void thrEmptyInterruptIsRaisedByEnablingAndAcknowledgedByIir() {
        uart.write(Serial16550.IER_DLM, 1, Serial16550.IER_THRI);
        assertTrue(irqHigh());
        assertEquals(0x02, uart.read(Serial16550.IIR_FCR, 1));
        assertFalse(irqHigh());
        assertEquals(0x01, uart.read(Serial16550.IIR_FCR, 1));
        uart.write(Serial16550.RBR_THR_DLL, 1, 'a'); // THR empties again at once: another interrupt
        assertTrue(irqHigh());
        uart.write(Serial16550.IER_DLM, 1, 0);
        assertFalse(irqHigh());
        uart.write(Serial16550.IER_DLM, 1, Serial16550.IER_THRI); // re-enabling re-asserts (8250 THRE test)
        assertEquals(0x02, uart.read(Serial16550.IIR_FCR, 1));
    }

    @Test
    void receivedDataInterruptsUntilDrained() {
        uart.write(Serial16550.IER_DLM, 1, Serial16550.IER_RDI);
        uart.receive("hi".getBytes(StandardCharsets.US_ASCII));
        assertTrue(irqHigh());
        assertEquals(0x04, uart.read(Serial16550.IIR_FCR, 1));
        assertEquals('h', uart.read(Serial16550.RBR_THR_DLL, 1));
        assertTrue(irqHigh());
        assertEquals('i', uart.read(Serial16550.RBR_THR_DLL, 1));
        assertFalse(irqHigh());
        assertEquals(0x60, uart.read(Serial16550.LSR, 1));
    }
}
