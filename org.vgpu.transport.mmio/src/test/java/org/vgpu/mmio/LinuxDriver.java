package org.vgpu.mmio;

import static org.vgpu.mmio.MmioRegisters.*;

/**
 * Drives the registers in the order Linux's drivers/virtio/virtio_mmio.c and virtio.c do:
 * vm_probe, vm_reset, virtio_add_status, vm_get_features, vm_finalize_features,
 * virtio_features_ok, vm_setup_vq, virtio_device_ready, vm_interrupt, vm_notify.
 * Only 32-bit accesses, like readl/writel.
 */
final class LinuxDriver {
    final MmioTransport transport;

    LinuxDriver(MmioTransport transport) {
        this.transport = transport;
    }

    int readl(int offset) {
        return (int) transport.read(offset, 4);
    }

    void writel(int value, int offset) {
        transport.write(offset, 4, value & 0xffffffffL);
    }

    /** vm_probe: false where Linux would refuse the device. */
    boolean probe() {
        if (readl(MAGIC_VALUE) != MAGIC) {
            return false;
        }
        int version = readl(VERSION_REG);
        if (version < 1 || version > 2) {
            return false;
        }
        if (readl(DEVICE_ID) == 0) {
            return false; // a placeholder
        }
        readl(VENDOR_ID_REG);
        return true;
    }

    /** vm_reset: write 0, then wait until the device reads back 0. */
    void reset() {
        writel(0, STATUS);
        for (int i = 0; i < 1000 && readl(STATUS) != 0; i++) {
            Thread.onSpinWait();
        }
    }

    int status() {
        return readl(STATUS) & 0xff; // vm_get_status
    }

    /** virtio_add_status. */
    void addStatus(int bit) {
        writel(status() | bit, STATUS);
    }

    /** vm_get_features: high word first, as Linux reads it. */
    long deviceFeatures() {
        writel(1, DEVICE_FEATURES_SEL);
        long features = (readl(DEVICE_FEATURES) & 0xffffffffL) << 32;
        writel(0, DEVICE_FEATURES_SEL);
        return features | (readl(DEVICE_FEATURES) & 0xffffffffL);
    }

    /** vm_finalize_features. */
    void writeDriverFeatures(long features) {
        writel(1, DRIVER_FEATURES_SEL);
        writel((int) (features >>> 32), DRIVER_FEATURES);
        writel(0, DRIVER_FEATURES_SEL);
        writel((int) features, DRIVER_FEATURES);
    }

    /** virtio_features_ok: set FEATURES_OK and check the device kept it. */
    boolean featuresOk() {
        addStatus(STATUS_FEATURES_OK);
        return (status() & STATUS_FEATURES_OK) != 0;
    }

    /** vm_setup_vq for one queue; returns whether QueueReady reads 1 afterwards. */
    boolean setupQueue(int index, GuestRing ring) {
        return setupQueue(index, ring.size, ring.desc(), ring.driver(), ring.device());
    }

    boolean setupQueue(int index, int num, long desc, long driver, long device) {
        writel(index, QUEUE_SEL);
        if (readl(QUEUE_READY) != 0) {
            return false; // "already set up"
        }
        if (readl(QUEUE_NUM_MAX) == 0) {
            return false; // -ENOENT
        }
        writel(num, QUEUE_NUM);
        writel((int) desc, QUEUE_DESC_LOW);
        writel((int) (desc >>> 32), QUEUE_DESC_HIGH);
        writel((int) driver, QUEUE_DRIVER_LOW);
        writel((int) (driver >>> 32), QUEUE_DRIVER_HIGH);
        writel((int) device, QUEUE_DEVICE_LOW);
        writel((int) (device >>> 32), QUEUE_DEVICE_HIGH);
        writel(1, QUEUE_READY);
        return readl(QUEUE_READY) == 1;
    }

    /** virtio_device_ready. */
    void driverOk() {
        addStatus(STATUS_DRIVER_OK);
    }

    /** From reset to DRIVER_OK with the features Linux would accept and the given rings on queues 0.. */
    void initialize(long wanted, GuestRing... rings) {
        reset();
        addStatus(STATUS_ACKNOWLEDGE);
        addStatus(STATUS_DRIVER);
        long features = deviceFeatures() & wanted;
        writeDriverFeatures(features);
        if (!featuresOk()) {
            throw new AssertionError("FEATURES_OK refused for 0x" + Long.toHexString(features));
        }
        for (int i = 0; i < rings.length; i++) {
            if (!setupQueue(i, rings[i])) {
                throw new AssertionError("queue " + i + " not ready");
            }
        }
        driverOk();
    }

    /** vm_interrupt: read the reasons, acknowledge them, return them. */
    int interrupt() {
        int status = readl(INTERRUPT_STATUS);
        writel(status, INTERRUPT_ACK);
        return status;
    }

    /** vm_notify. */
    void notify(int queueIndex) {
        writel(queueIndex, QUEUE_NOTIFY);
    }
}
