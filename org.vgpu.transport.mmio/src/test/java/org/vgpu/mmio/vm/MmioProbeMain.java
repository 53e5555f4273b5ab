package org.vgpu.mmio.vm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.vgpu.mmio.bus.MmioHandler;

/**
 * MicroVmMain with one recording virtio-mmio window (magic "virt", version 2, an unknown device
 * ID) at the start of the device range on GSI 16: whether Linux finds it through the DSDT and
 * its virtio_mmio driver probes it. Prints MMIO-PROBE lines after the VM ends.
 */
public final class MmioProbeMain {

    static final int MAGIC = 0x74726976;
    static final int UNKNOWN_DEVICE_ID = 0xffff;

    private MmioProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        MmioHandler device = new MmioHandler() {
            private int status;

            @Override
            public long windowSize() {
                return 0x1000;
            }

            @Override
            public long read(long offset, int size) {
                long value = switch ((int) offset) {
                    case 0x000 -> MAGIC;
                    case 0x004 -> 2;
                    case 0x008 -> UNKNOWN_DEVICE_ID;
                    case 0x00c -> 0x554d4551;
                    case 0x070 -> status;
                    default -> 0;
                };
                log.add(String.format("r%03x", offset));
                return value;
            }

            @Override
            public void write(long offset, int size, long value) {
                if (offset == 0x70) {
                    status = (int) value;
                }
                log.add(String.format("w%03x=%x", offset, value));
            }
        };
        int rc = MicroVmMain.run(args, vm -> vm.addMmioDevice(VmMemoryLayout.MMIO_DEVICES_START, 16, device));
        System.out.println("MMIO-PROBE accesses " + String.join(" ", log.subList(0, Math.min(log.size(), 40))));
        System.out.println("MMIO-PROBE rc " + rc);
        System.exit(rc);
    }
}
