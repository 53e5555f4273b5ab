package org.vgpu.mmio;

import org.vgpu.virtio.testing.EchoDevice;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/** An echo device on a transport over 1 MiB of anonymous guest memory, with a counting IRQ line. */
final class Fixture implements AutoCloseable {
    static final long MEMORY_SIZE = 1 << 20;
    static final long ALL_FEATURES = -1L;

    final GuestMemoryMap memory = new GuestMemoryMap();
    final EchoDevice device;
    final AtomicInteger irqs = new AtomicInteger();
    final MmioTransport transport;
    final LinuxDriver driver;

    Fixture() throws Exception {
        this(List.of());
    }

    Fixture(List<SharedMemoryRegion> shm) throws Exception {
        this(new EchoDevice(), shm);
    }

    Fixture(EchoDevice device, List<SharedMemoryRegion> shm) throws Exception {
        this.device = device;
        memory.addRegion(MemoryRegion.anonymous(0, MEMORY_SIZE));
        transport = new MmioTransport(device, memory, irqs::incrementAndGet, shm);
        driver = new LinuxDriver(transport);
    }

    /** A fresh, zeroed ring for queue index i (each queue has its own 64 KiB). */
    GuestRing ring(int i, int size) throws GuestMemoryException {
        return new GuestRing(memory, 0x10000L * (i + 1), size);
    }

    /** Polls until the condition holds (the queue worker runs on its own thread); false on timeout. */
    static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    static boolean awaitUsed(GuestRing ring, int count) throws InterruptedException {
        return await(() -> {
            try {
                return ring.usedIdx() >= count;
            } catch (GuestMemoryException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Override
    public void close() {
        transport.close();
        memory.close();
    }
}
