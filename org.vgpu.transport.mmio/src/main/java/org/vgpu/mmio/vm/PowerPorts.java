package org.vgpu.mmio.vm;

import java.util.function.Consumer;

/**
 * The two ways an x86 guest asks to stop: the hardware-reduced ACPI sleep control register
 * (SLP_EN with \_S5's SLP_TYP means power off) and the i8042 controller's reset command.
 * Both are I/O ports here; each reports to a listener with the exit it means.
 */
final class PowerPorts {

    /** Sleep control at SLEEP_PORTS, sleep status at SLEEP_PORTS + 1 (FADT SLEEP_CONTROL/STATUS_REG). */
    static final int SLEEP_PORTS = 0x600;
    static final int SLP_EN = 0x20;
    static final int SLP_TYP_SHIFT = 2;
    static final int SLP_TYP_MASK = 0x7;
    static final int I8042_COMMAND_PORT = 0x64;
    static final int I8042_RESET = 0xfe;

    private PowerPorts() {
    }

    /** Sleep control/status: writing SLP_EN with SLP_TYP = S5 powers off; status always reads 0. */
    static IoPortHandler acpiSleep(Consumer<VmExit> listener) {
        return new IoPortHandler() {
            @Override
            public int read(int offset, int size) {
                return 0;
            }

            @Override
            public void write(int offset, int size, int value) {
                if (offset == 0 && (value & SLP_EN) != 0
                        && ((value >> SLP_TYP_SHIFT) & SLP_TYP_MASK) == AcpiTables.S5_SLEEP_TYPE) {
                    listener.accept(new VmExit(VmExit.Kind.POWER_OFF, "ACPI S5"));
                }
            }
        };
    }

    /** i8042 command port: 0xfe pulses the CPU reset line. Status reads 0 (no data, buffer empty). */
    static IoPortHandler i8042(Consumer<VmExit> listener) {
        return new IoPortHandler() {
            @Override
            public int read(int offset, int size) {
                return 0;
            }

            @Override
            public void write(int offset, int size, int value) {
                if ((value & 0xff) == I8042_RESET) {
                    listener.accept(new VmExit(VmExit.Kind.RESET, "i8042 reset"));
                }
            }
        };
    }
}
