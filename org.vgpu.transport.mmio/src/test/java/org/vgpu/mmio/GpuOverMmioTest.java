package org.vgpu.mmio;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.mmio.MmioRegisters.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.gpu.protocol.Protocol;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/** The real virtio-gpu device behind the transport, brought up the way Linux's virtio-gpu would be. */
class GpuOverMmioTest {
    private final GuestMemoryMap memory = new GuestMemoryMap();
    private final AtomicInteger irqs = new AtomicInteger();
    private GpuDevice gpu;
    private MmioTransport transport;

    @AfterEach
    void close() {
        if (transport != null) {
            transport.close();
        }
        memory.close();
    }

    @Test
    void displayInfoOverTheControlQueue() throws Exception {
        memory.addRegion(MemoryRegion.anonymous(0, 1 << 20));
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        gpu = new GpuDevice(new GpuSettings("gpu0", 2, 1280, 800, 1 << 20), selector);
        transport = new MmioTransport(gpu, memory, irqs::incrementAndGet, List.of());
        LinuxDriver d = new LinuxDriver(transport);

        assertTrue(d.probe());
        assertEquals(16, d.readl(DEVICE_ID));
        assertEquals(2, d.readl(CONFIG + 8), "num_scanouts in the config space");
        GuestRing control = new GuestRing(memory, 0x10000, 64);
        GuestRing cursor = new GuestRing(memory, 0x20000, 16);
        d.initialize(1L << F_VERSION_1 | 1L << F_RING_EVENT_IDX, control, cursor);
        assertEquals("active", transport.state());

        byte[] header = new byte[24];
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(0, Protocol.CMD_GET_DISPLAY_INFO);
        control.send(header, 24 + 16 * 24);
        d.notify(0);

        assertTrue(Fixture.awaitUsed(control, 1));
        ByteBuffer response = ByteBuffer.wrap(control.response(0, 24 + 16 * 24)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Protocol.RESP_OK_DISPLAY_INFO, response.getInt(0));
        assertEquals(1280, response.getInt(24 + 8), "pmodes[0].r.width");
        assertEquals(800, response.getInt(24 + 12), "pmodes[0].r.height");
        assertEquals(1, response.getInt(24 + 16), "pmodes[0].enabled");
        assertTrue(Fixture.await(() -> irqs.get() > 0));
        assertEquals(INT_USED_BUFFER, d.interrupt() & INT_USED_BUFFER);

        d.reset();
        assertNull(gpu.activation());
    }
}
