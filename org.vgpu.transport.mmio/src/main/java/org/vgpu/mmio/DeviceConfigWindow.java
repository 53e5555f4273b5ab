package org.vgpu.mmio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.virtio.api.VirtioDevice;

/**
 * Guest accesses to the device-specific configuration space (window offset 0x100 on), turned
 * into {@link VirtioDevice#readConfig}/{@link VirtioDevice#writeConfig} calls. Sizes 1, 2 and 4
 * must be naturally aligned; an 8-byte access (a 64-bit guest load, which Linux never makes)
 * is served as the two 32-bit accesses the spec has drivers make for 64-bit fields. Anything
 * else, and anything past the device's config size, reads 0 and writes nothing.
 * Not thread-safe: the transport serialises guest accesses.
 */
final class DeviceConfigWindow {
    private static final System.Logger LOG = System.getLogger(DeviceConfigWindow.class.getName());
    private final VirtioDevice device;
    private final int limit; // bytes of config the window can address
    private final ByteBuffer scratch = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);

    DeviceConfigWindow(VirtioDevice device, int windowBytes) {
        this.device = device;
        this.limit = windowBytes;
    }

    long read(long offset, int size) {
        if (!acceptable(offset, size)) {
            return 0;
        }
        if (size == 8) {
            return read32((int) offset) & 0xffffffffL | (read32((int) offset + 4) & 0xffffffffL) << 32;
        }
        return switch (size) {
            case 1 -> read32Part((int) offset, 1) & 0xffL;
            case 2 -> read32Part((int) offset, 2) & 0xffffL;
            default -> read32((int) offset) & 0xffffffffL;
        };
    }

    void write(long offset, int size, long value) {
        if (!acceptable(offset, size)) {
            return;
        }
        if (size == 8) {
            write32Part((int) offset, 4, value);
            write32Part((int) offset + 4, 4, value >>> 32);
        } else {
            write32Part((int) offset, size, value);
        }
    }

    private boolean acceptable(long offset, int size) {
        boolean knownSize = size == 1 || size == 2 || size == 4 || size == 8;
        return knownSize && offset >= 0 && offset <= limit - size && (offset & (Math.min(size, 4) - 1)) == 0;
    }

    private int read32(int offset) {
        return read32Part(offset, 4);
    }

    /** Reads size bytes at offset, little-endian; bytes past the device's config size are 0. */
    private int read32Part(int offset, int size) {
        if (offset >= device.configSize()) {
            return 0;
        }
        scratch.clear();
        scratch.putInt(0, 0);
        scratch.limit(size);
        try {
            device.readConfig(offset, scratch);
        } catch (RuntimeException e) {
            // a device bug must not reach the vCPU thread: MmioHandler never throws
            LOG.log(System.Logger.Level.ERROR, device.name() + ": readConfig(" + offset + ") failed", e);
            return 0;
        }
        scratch.limit(4); // absolute reads are checked against the limit
        return scratch.getInt(0);
    }

    private void write32Part(int offset, int size, long value) {
        if (offset >= device.configSize()) {
            return;
        }
        scratch.clear();
        scratch.putInt(0, (int) value);
        scratch.limit(size);
        try {
            device.writeConfig(offset, scratch);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, device.name() + ": writeConfig(" + offset + ") failed", e);
        }
    }
}
