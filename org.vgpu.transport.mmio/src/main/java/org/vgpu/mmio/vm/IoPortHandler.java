package org.vgpu.mmio.vm;

/** A device on the x86 I/O port bus; offsets are relative to the device's first port. */
public interface IoPortHandler {

    /** Reads size (1, 2 or 4) bytes; unimplemented registers read as all ones. */
    int read(int offset, int size);

    void write(int offset, int size, int value);
}
