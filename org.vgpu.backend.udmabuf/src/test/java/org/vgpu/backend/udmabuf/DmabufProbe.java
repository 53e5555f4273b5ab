package org.vgpu.backend.udmabuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * Run inside the test host VM (real /dev/udmabuf): a 64x64 resource on scattered pages of a sealed
 * memfd becomes a dma-buf; the host reads the guest's pixels through it, sees a later guest write
 * with no copy (TRANSFER moves 0 bytes), and detaching closes it. Prints DMABUF-OK or DMABUF-FAIL.
 */
public final class DmabufProbe {
    static final long BASE = 0x100000;
    static final int PAGE = 4096;

    public static void main(String[] args) throws Exception {
        try (GuestMemoryMap memory = new GuestMemoryMap()) {
            memory.addRegion(MemoryRegion.anonymous(BASE, 1 << 20));
            ResourceSpec spec = new ResourceSpec(1, 2, 64, 64); // B8G8R8X8, 16 KiB = 4 pages
            long[] pages = { BASE + 8L * PAGE, BASE + 2L * PAGE, BASE + 5L * PAGE, BASE + 11L * PAGE };
            BackingList backing = new BackingList(pages, new int[] { PAGE, PAGE, PAGE, PAGE }, memory);
            for (int i = 0; i < 64 * 64; i++) {
                memory.writeInt(pages[i * 4 / PAGE] + (i * 4) % PAGE, 0x00300000 | i);
            }
            UdmabufBackend backend = new UdmabufBackend();
            Probe probe = backend.probe(spec, backing);
            check(probe.accepts(), "probe: " + probe.reason());
            BackendResource r = backend.create(spec);
            r.attachBacking(memory, backing);
            check(r.transferToHost(memory, 0, 0, 64, 64, 0) == 0, "TRANSFER copied bytes");
            ByteBuffer out = ByteBuffer.allocate(64 * 64 * 4).order(ByteOrder.LITTLE_ENDIAN);
            r.readPixels(0, 0, 64, 64, out, 0, 256);
            for (int i = 0; i < 64 * 64; i++) {
                check(out.getInt(i * 4) == (0x00300000 | i), "pixel " + i + " = " + Integer.toHexString(out.getInt(i * 4)));
            }
            memory.writeInt(pages[3] + 100 * 4 % PAGE + 8, 0xabcdef); // the guest draws again
            r.transferToHost(memory, 0, 0, 64, 64, 0);
            r.readPixels(0, 0, 64, 64, out, 0, 256);
            check(out.getInt(3 * PAGE + 100 * 4 % PAGE + 8) == 0xabcdef, "a later guest write is seen through the dma-buf");
            r.destroy();
            System.out.println("DMABUF-OK " + probe.reason());
        } catch (Exception | AssertionError e) {
            System.out.println("DMABUF-FAIL " + e.getMessage());
            System.exit(1);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
