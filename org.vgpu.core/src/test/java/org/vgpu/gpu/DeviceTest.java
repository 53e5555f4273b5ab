package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.Interrupt;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.queue.SplitQueue;

/** Features, config space and the display-change event of the VirtioDevice face. */
class DeviceTest {
    private final AtomicInteger configInterrupts = new AtomicInteger();

    private GpuDevice device(int scanouts) {
        RankedBackendSelector sel = new RankedBackendSelector();
        sel.add(new CopyBackend(), 0);
        return new GpuDevice(new GpuSettings("gpu7", scanouts, 800, 600, 1 << 20), sel);
    }

    private DeviceActivation activation(GuestMemory mem) {
        return new DeviceActivation() {
            public GuestMemory memory() { return mem; }
            public SplitQueue queue(int index) { return null; }
            public Interrupt interrupt() {
                return new Interrupt() {
                    public void signalQueue(int queueIndex) { }
                    public void signalConfig() { configInterrupts.incrementAndGet(); }
                };
            }
            public void needsReset(String reason) { fail(reason); }
            public String connectionName() { return "test"; }
        };
    }

    private static int configInt(GpuDevice d, int offset) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        d.readConfig(offset, b);
        return b.getInt(0);
    }

    @Test
    void identityAndFeatures() {
        GpuDevice d = device(1);
        assertEquals("gpu7", d.name());
        assertEquals(16, d.deviceId());
        assertEquals(2, d.queueCount());
        long f = d.offeredFeatures();
        // VERSION_1, EVENT_IDX, INDIRECT_DESC, EDID, RESOURCE_UUID, RESOURCE_BLOB, BLOB_ALIGNMENT
        assertEquals(1L << 32 | 1L << 29 | 1L << 28 | 1L << 1 | 1L << 2 | 1L << 3 | 1L << 5, f);
        d.ackFeatures(f | 1L << 4 | 1L);
        assertEquals(f, d.ackedFeatures(), "unoffered bits are dropped");
    }

    @Test
    void configSpace() {
        GpuDevice d = device(3);
        assertEquals(20, d.configSize());
        assertEquals(4096, configInt(d, CONFIG_BLOB_ALIGNMENT), "blob_alignment = host page size");
        assertEquals(0, configInt(d, CONFIG_EVENTS_READ));
        assertEquals(3, configInt(d, CONFIG_NUM_SCANOUTS));
        assertEquals(0, configInt(d, CONFIG_NUM_CAPSETS));
        ByteBuffer oneByte = ByteBuffer.allocate(1);
        d.readConfig(CONFIG_NUM_SCANOUTS, oneByte);
        assertEquals(3, oneByte.get(0));
        ByteBuffer past = ByteBuffer.allocate(8);
        d.readConfig(20, past);
        assertEquals(0, past.getLong(0), "bytes past the config read as 0");
    }

    @Test
    void displayEventAndWriteOneToClear() {
        GpuDevice d = device(1);
        d.activate(activation(new FakeGuestMemory(0, 4096)));
        int gen = d.configGeneration();
        d.setPreferredMode(1024, 768);
        assertEquals(EVENT_DISPLAY, configInt(d, CONFIG_EVENTS_READ));
        assertEquals(1, configInterrupts.get());
        assertNotEquals(gen, d.configGeneration());
        ByteBuffer zero = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0);
        d.writeConfig(CONFIG_EVENTS_CLEAR, zero);
        assertEquals(EVENT_DISPLAY, configInt(d, CONFIG_EVENTS_READ), "writing 0 clears nothing");
        d.writeConfig(CONFIG_EVENTS_READ, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1));
        assertEquals(EVENT_DISPLAY, configInt(d, CONFIG_EVENTS_READ), "events_read is read-only");
        d.writeConfig(CONFIG_EVENTS_CLEAR, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, EVENT_DISPLAY));
        assertEquals(0, configInt(d, CONFIG_EVENTS_READ));
        assertEquals(1024, d.state().scanouts().get(0).preferredWidth());
    }

    @Test
    void resetDropsResources() {
        GpuDevice d = device(1);
        FakeGuestMemory mem = new FakeGuestMemory(0, 1 << 20);
        d.activate(activation(mem));
        CommandDecoder dec = new CommandDecoder(d.state());
        ByteBuffer req = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        req.putInt(0, CMD_RESOURCE_CREATE_2D).putInt(24, 1).putInt(28, FORMAT_B8G8R8X8).putInt(32, 4).putInt(36, 4);
        ByteBuffer resp = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        dec.handle(req, REQ_RESOURCE_CREATE_2D, resp);
        assertEquals(RESP_OK_NODATA, resp.getInt(0));
        assertEquals(1, d.state().resources().size());
        d.ackFeatures(d.offeredFeatures());
        d.reset();
        assertNull(d.activation());
        assertEquals(0, d.ackedFeatures());
        assertTrue(d.state().resources().isEmpty());
        assertEquals(0, d.state().usedBytes());
    }

    @Test
    void settingsAreClamped() {
        GpuSettings s = new GpuSettings("x", 40, 1, 100_000, -5);
        assertEquals(16, s.numScanouts());
        assertEquals(16, s.width());
        assertEquals(4095, s.height());
        assertEquals(0, s.quotaBytes());
    }
}
