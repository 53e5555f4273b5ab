package org.vgpu.mmio;

import static org.vgpu.mmio.MmioRegisters.F_VERSION_1;

/**
 * Feature negotiation through 32-bit windows: DeviceFeatures/DeviceFeaturesSel show the offered
 * 64 bits, DriverFeatures/DriverFeaturesSel collect the driver's. Selects above 1 read 0 and
 * write nothing (no device defines bits past 63).
 */
final class FeatureRegisters {
    private final long offered;
    private int deviceSelect;
    private int driverSelect;
    private long driverFeatures;

    FeatureRegisters(long offered) {
        this.offered = offered;
    }

    void selectDeviceWord(int select) {
        deviceSelect = select;
    }

    int deviceWord() {
        return word(offered, deviceSelect);
    }

    void selectDriverWord(int select) {
        driverSelect = select;
    }

    /** Driver's bits of the selected word; a select above 1 is dropped. */
    void writeDriverWord(int value) {
        if (driverSelect == 0) {
            driverFeatures = driverFeatures & 0xffffffff_00000000L | (value & 0xffffffffL);
        } else if (driverSelect == 1) {
            driverFeatures = driverFeatures & 0xffffffffL | (long) value << 32;
        }
    }

    long driverFeatures() {
        return driverFeatures;
    }

    /** FEATURES_OK is kept only for a subset of what was offered that includes VERSION_1 (no legacy). */
    boolean driverFeaturesAcceptable() {
        return (driverFeatures & ~offered) == 0 && (driverFeatures & 1L << F_VERSION_1) != 0;
    }

    boolean negotiated(int bit) {
        return (driverFeatures & 1L << bit) != 0;
    }

    void reset() {
        deviceSelect = 0;
        driverSelect = 0;
        driverFeatures = 0;
    }

    private static int word(long features, int select) {
        return switch (select) {
            case 0 -> (int) features;
            case 1 -> (int) (features >>> 32);
            default -> 0;
        };
    }
}
