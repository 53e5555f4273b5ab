package org.vgpu.mmio.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;

/**
 * A 16550A UART as Linux's 8250 driver expects it: transmitted bytes go to an OutputStream at
 * once (so the transmitter is always empty), received bytes queue in a FIFO, and the interrupt
 * line follows the pending interrupt (THR empty, data ready) as IER enables them. Loopback,
 * scratch and modem-status behaviour are modelled because the driver's autoconfiguration
 * probes them. Register offsets and bits from the 16550 data sheet (include/uapi/linux/serial_reg.h).
 */
public final class Serial16550 implements IoPortHandler {

    public static final int COM1_PORT = 0x3f8;
    public static final int COM1_IRQ = 4;
    public static final int PORT_COUNT = 8;

    // register offsets
    static final int RBR_THR_DLL = 0;
    static final int IER_DLM = 1;
    static final int IIR_FCR = 2;
    static final int LCR = 3;
    static final int MCR = 4;
    static final int LSR = 5;
    static final int MSR = 6;
    static final int SCR = 7;

    static final int IER_RDI = 0x01; // received data available
    static final int IER_THRI = 0x02; // transmitter holding register empty
    static final int IER_MASK = 0x0f;
    static final int IIR_NO_INT = 0x01;
    static final int IIR_THRI = 0x02;
    static final int IIR_RDI = 0x04;
    static final int IIR_FIFO_ENABLED = 0xc0;
    static final int FCR_ENABLE_FIFO = 0x01;
    static final int FCR_CLEAR_RCVR = 0x02;
    static final int LCR_DLAB = 0x80;
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
    static final int LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    static final int FIFO_SIZE = 16;

    private final OutputStream out;
    private final IrqLevel irq;
    private final ArrayDeque<Byte> rx = new ArrayDeque<>();
    private int ier;
    private int lcr;
    private int mcr = MCR_OUT2;
    private int scr;
    private int dll = 0x0c; // 9600 baud until the driver programs it
    private int dlm;
    private boolean fifoEnabled;
    private boolean thrEmptyPending; // THRE interrupt armed, cleared by reading IIR or writing THR
    private boolean irqHigh;

    public Serial16550(OutputStream out, IrqLevel irq) {
        this.out = out;
        this.irq = irq;
    }

    /** Queues bytes typed at the console (dropped when the receive FIFO is full). */
    public synchronized void receive(byte[] bytes) {
        for (byte b : bytes) {
            if (rx.size() < FIFO_SIZE * 64) {
                rx.add(b);
            }
        }
        updateIrq();
    }

    @Override
    public synchronized int read(int offset, int size) {
        int value = switch (offset) {
            case RBR_THR_DLL -> {
                if (dlab()) {
                    yield dll;
                }
                Byte b = rx.poll();
                yield b == null ? 0 : b & 0xff;
            }
            case IER_DLM -> dlab() ? dlm : ier;
            case IIR_FCR -> {
                int iir = pendingInterrupt();
                if (iir == IIR_THRI) {
                    thrEmptyPending = false; // reading IIR acknowledges THRE
                }
                yield iir | (fifoEnabled ? IIR_FIFO_ENABLED : 0);
            }
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> LSR_THRE | LSR_TEMT | (rx.isEmpty() ? 0 : LSR_DR);
            case MSR -> modemStatus();
            case SCR -> scr;
            default -> 0xff;
        };
        updateIrq();
        return value;
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        value &= 0xff;
        switch (offset) {
            case RBR_THR_DLL -> {
                if (dlab()) {
                    dll = value;
                } else if ((mcr & MCR_LOOP) != 0) {
                    rx.add((byte) value);
                    thrEmptyPending = true;
                } else {
                    transmit(value);
                    thrEmptyPending = true; // sent at once: the holding register is empty again
                }
            }
            case IER_DLM -> {
                if (dlab()) {
                    dlm = value;
                } else {
                    boolean thriEnabled = (value & IER_THRI) != 0 && (ier & IER_THRI) == 0;
                    ier = value & IER_MASK;
                    if (thriEnabled) {
                        thrEmptyPending = true; // enabling THRI with an empty THR interrupts at once
                    }
                }
            }
            case IIR_FCR -> {
                fifoEnabled = (value & FCR_ENABLE_FIFO) != 0;
                if ((value & FCR_CLEAR_RCVR) != 0) {
                    rx.clear();
                }
            }
            case LCR -> lcr = value;
            case MCR -> mcr = value & 0x1f;
            case SCR -> scr = value;
            default -> {
                // LSR and MSR are read-only
            }
        }
        updateIrq();
    }

    /** Flushes the console stream (the VM calls this when it ends). */
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void transmit(int value) {
        try {
            out.write(value);
            if (value == '\n') {
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean dlab() {
        return (lcr & LCR_DLAB) != 0;
    }

    /** The highest-priority enabled interrupt as an IIR value. */
    private int pendingInterrupt() {
        if ((ier & IER_RDI) != 0 && !rx.isEmpty()) {
            return IIR_RDI;
        }
        if ((ier & IER_THRI) != 0 && thrEmptyPending) {
            return IIR_THRI;
        }
        return IIR_NO_INT;
    }

    private int modemStatus() {
        if ((mcr & MCR_LOOP) != 0) { // loopback wires the MCR outputs to the modem inputs
            return ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0) | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                    | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0) | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
        }
        return MSR_DCD | MSR_DSR | MSR_CTS;
    }

    private void updateIrq() {
        boolean high = pendingInterrupt() != IIR_NO_INT;
        if (high != irqHigh) {
            irqHigh = high;
            irq.set(high);
        }
    }
}
