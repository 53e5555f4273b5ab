package org.vgpu.mmio;

/**
 * The virtio-mmio version 2 wire format (VIRTIO 1.4, section 4.2.2): register offsets inside the
 * device window and the values and bits they carry. Every other class names registers through
 * these constants only.
 */
public final class MmioRegisters {

    /** "virt" in little-endian ASCII. */
    public static final int MAGIC = 0x74726976;
    /** Version 2 is the modern (non-legacy) register layout. */
    public static final int VERSION = 2;
    /**
     * "VUPG" in little-endian ASCII (bytes 'V','U','P','G'). The spec leaves VendorID free for the
     * device; Linux only prints it. A recognisable constant lets a guest tell our devices apart
     * from QEMU's (which report 0x554d4551, "QEMU").
     */
    public static final int VENDOR_ID = 0x47505556;

    /** Registers span 0x000..0x0ff, config space follows; one 4 KiB page holds both (spec: 0x200 minimum). */
    public static final long WINDOW_SIZE = 0x1000;

    // ---- register offsets; all are 32-bit and 4-byte aligned ----
    public static final int MAGIC_VALUE = 0x000;
    public static final int VERSION_REG = 0x004;
    public static final int DEVICE_ID = 0x008;
    public static final int VENDOR_ID_REG = 0x00c;
    public static final int DEVICE_FEATURES = 0x010;
    public static final int DEVICE_FEATURES_SEL = 0x014;
    public static final int DRIVER_FEATURES = 0x020;
    public static final int DRIVER_FEATURES_SEL = 0x024;
    public static final int QUEUE_SEL = 0x030;
    public static final int QUEUE_NUM_MAX = 0x034;
    public static final int QUEUE_NUM = 0x038;
    public static final int QUEUE_READY = 0x044;
    /** Write-only; a KVM VM may bind an ioeventfd here (datamatch = queue index) instead of exiting. */
    public static final int QUEUE_NOTIFY = 0x050;
    public static final int INTERRUPT_STATUS = 0x060;
    public static final int INTERRUPT_ACK = 0x064;
    public static final int STATUS = 0x070;
    public static final int QUEUE_DESC_LOW = 0x080;
    public static final int QUEUE_DESC_HIGH = 0x084;
    public static final int QUEUE_DRIVER_LOW = 0x090;
    public static final int QUEUE_DRIVER_HIGH = 0x094;
    public static final int QUEUE_DEVICE_LOW = 0x0a0;
    public static final int QUEUE_DEVICE_HIGH = 0x0a4;
    public static final int SHM_SEL = 0x0ac;
    public static final int SHM_LEN_LOW = 0x0b0;
    public static final int SHM_LEN_HIGH = 0x0b4;
    public static final int SHM_BASE_LOW = 0x0b8;
    public static final int SHM_BASE_HIGH = 0x0bc;
    public static final int QUEUE_RESET = 0x0c0;
    public static final int CONFIG_GENERATION = 0x0fc;
    /** Device-specific configuration space starts here. */
    public static final int CONFIG = 0x100;

    /** Width of every register below {@link #CONFIG}. */
    public static final int REGISTER_SIZE = 4;

    // ---- InterruptStatus / InterruptACK bits ----
    public static final int INT_USED_BUFFER = 0x1;
    public static final int INT_CONFIG_CHANGE = 0x2;

    // ---- device status bits (VIRTIO 1.4 section 2.1) ----
    public static final int STATUS_ACKNOWLEDGE = 0x01;
    public static final int STATUS_DRIVER = 0x02;
    public static final int STATUS_DRIVER_OK = 0x04;
    public static final int STATUS_FEATURES_OK = 0x08;
    public static final int STATUS_NEEDS_RESET = 0x40;
    public static final int STATUS_FAILED = 0x80;

    // ---- feature bits the transport cares about ----
    public static final int F_RING_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;
    /** Per-queue reset through QueueReset; offered by the transport itself. */
    public static final int F_RING_RESET = 40;

    /**
     * Transport features this transport does not implement, masked out of whatever a device
     * offers: packed rings (SplitQueue only), notification data in QueueNotify (the value must
     * stay the queue index an ioeventfd matches on) and config-space notification data.
     */
    public static final long UNSUPPORTED_TRANSPORT_FEATURES = 1L << 34 | 1L << 38 | 1L << 39;

    /** A missing shared memory region reads as length and base -1 (spec 4.2.2, SHMLenLow). */
    public static final long NO_SHM_REGION = -1L;

    private MmioRegisters() {
    }
}
