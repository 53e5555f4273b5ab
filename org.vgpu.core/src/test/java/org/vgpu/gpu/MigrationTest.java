package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.FORMAT_B8G8R8X8;
import static org.vgpu.gpu.protocol.Protocol.RESP_OK_NODATA;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;

/** Per-resource backend choice by policy, and moving live resources between backends. */
class MigrationTest {

    static void fill(GpuHarness h, long[] pages, long bytes, int seed) {
        for (long o = 0; o < bytes; o++) {
            h.putBacking(pages, o, (byte) (o * 31 + seed));
        }
    }

    @Test
    void migrationKeepsPixelsBackingAndScanout() throws Exception {
        GpuHarness h = new GpuHarness();
        RenamedCopyBackend other = new RenamedCopyBackend("other");
        h.selector.add(other, -200);
        long[] pages = h.createWithBacking(1, FORMAT_B8G8R8X8, 64, 32);
        fill(h, pages, 64 * 32 * 4, 7);
        assertEquals(RESP_OK_NODATA, h.transfer(1, 0, 0, 64, 32, 0));
        assertEquals(RESP_OK_NODATA, h.setScanout(0, 1, 0, 0, 64, 32));
        assertEquals("copy", h.state.resource(1).backend());
        ByteBuffer before = h.hostPixels(1);
        int[] screenBefore = h.state.capture(0, false).argb();

        String result = h.state.migrate(1, other, "test");
        assertTrue(result.contains("from copy to other"), result);
        assertEquals("other", h.state.resource(1).backend());
        assertTrue(h.state.resource(1).backendReason().startsWith("migrated from copy"), h.state.resource(1).backendReason());
        assertEquals(before, h.hostPixels(1), "pixels identical after migration");
        assertArrayEquals(screenBefore, h.state.capture(0, false).argb(), "the scanout shows the same image");

        h.putBacking(pages, 0, (byte) 0x55); // the backing moved too: a new TRANSFER lands in the new store
        assertEquals(RESP_OK_NODATA, h.transfer(1, 0, 0, 1, 1, 0));
        assertEquals(0x55, h.hostPixels(1).get(0) & 0xff);
        assertEquals(1, h.state.migrations());
        var perBackend = h.state.statsSnapshot().countersByBackend();
        assertEquals(64 * 32 * 4, perBackend.get("copy")[0], "bytes copied through copy");
        assertEquals(4, perBackend.get("other")[0], "bytes copied through other");
        assertEquals(0, perBackend.get("other")[1], "nothing shared by a copying backend");
    }

    @Test
    void aDecliningTargetLeavesTheResourceWhereItIs() throws Exception {
        GpuHarness h = new GpuHarness();
        RenamedCopyBackend other = new RenamedCopyBackend("other");
        other.declineReason = "full";
        h.selector.add(other, -200);
        h.createWithBacking(1, FORMAT_B8G8R8X8, 16, 16);
        BackendException e = assertThrows(BackendException.class, () -> h.state.migrate(1, other, "test"));
        assertTrue(e.getMessage().contains("other declined: full"), e.getMessage());
        assertEquals("copy", h.state.resource(1).backend());
        assertThrows(BackendException.class, () -> h.state.migrate(99, other, "test"));
    }

    @Test
    void aLeavingBackendsResourcesMoveToTheNextEligibleWithTheirPixels() throws Exception {
        GpuHarness h = new GpuHarness();
        RenamedCopyBackend sample = new RenamedCopyBackend("sample");
        h.selector.setRules(new RankedBackendSelector.Rules(List.of("sample", "copy"), 0, "copy", Map.of()));
        h.selector.add(sample, 0);
        h.selector.addListener(leaving -> h.state.migrateAllFrom(leaving)); // what GpuDevice registers
        long[] pages = h.createWithBacking(1, FORMAT_B8G8R8X8, 32, 32);
        h.createWithBacking(2, FORMAT_B8G8R8X8, 8, 8);
        fill(h, pages, 32 * 32 * 4, 3);
        assertEquals(RESP_OK_NODATA, h.transfer(1, 0, 0, 32, 32, 0));
        assertEquals("sample", h.state.resource(1).backend());
        assertEquals("sample", h.state.resource(2).backend());
        ByteBuffer before = h.hostPixels(1);

        h.selector.removeBackend(sample);
        assertEquals("copy", h.state.resource(1).backend());
        assertEquals("copy", h.state.resource(2).backend());
        assertTrue(h.state.resource(1).backendReason().contains("sample left"), h.state.resource(1).backendReason());
        assertEquals(before, h.hostPixels(1), "pixels identical after the backend left");
    }

    @Test
    void detachingAZeroCopyResourcesBackingKeepsItsPixelsOnTheHost() throws Exception {
        GpuHarness h = new GpuHarness();
        RenamedCopyBackend zeroCopy = new RenamedCopyBackend("zc", true);
        h.selector.setRules(new RankedBackendSelector.Rules(List.of("zc", "copy"), 0, "copy", Map.of()));
        h.selector.add(zeroCopy, 10);
        long[] pages = h.createWithBacking(1, FORMAT_B8G8R8X8, 32, 16); // created on copy, moved to zc at ATTACH
        assertEquals("zc", h.state.resource(1).backend());
        fill(h, pages, 32 * 16 * 4, 9);
        assertEquals(RESP_OK_NODATA, h.transfer(1, 0, 0, 32, 16, 0));
        ByteBuffer before = h.hostPixels(1);
        assertEquals(RESP_OK_NODATA, h.cmd(0x107, 1, 0)); // RESOURCE_DETACH_BACKING
        assertEquals("copy", h.state.resource(1).backend(), "moved to a copying backend before the pages went");
        assertTrue(h.state.resource(1).backendReason().contains("backing detached"), h.state.resource(1).backendReason());
        assertEquals(before, h.hostPixels(1), "same pixels without the guest pages");
        assertEquals(0, h.state.resource(1).backingEntries());
    }

    @Test
    void policyOrdersBackendsAndExplainsTheChoice() {
        RankedBackendSelector s = new RankedBackendSelector();
        RenamedCopyBackend other = new RenamedCopyBackend("other");
        s.add(new CopyBackend(), -100);
        s.add(other, 10);
        ResourceSpec big = new ResourceSpec(1, FORMAT_B8G8R8X8, 256, 256);
        ResourceSpec cursor = new ResourceSpec(2, FORMAT_B8G8R8X8, 64, 64);

        BackendSelector.Selection sel = s.select("gpu0", big, null); // default: udmabuf, hostmem, copy
        assertEquals("copy", sel.backend().name());
        assertTrue(sel.reason().startsWith("preference #3: copy accepts"), sel.reason());

        s.setRules(new RankedBackendSelector.Rules(List.of("other", "copy"), 65536, "copy", Map.of("gpu9", "copy")));
        assertEquals("other", s.select("gpu0", big, null).backend().name());
        sel = s.select("gpu0", cursor, null);
        assertEquals("copy", sel.backend().name(), "cursor-sized resources stay on copy");
        assertTrue(sel.reason().startsWith("small resource"), sel.reason());
        sel = s.select("gpu9", big, null);
        assertEquals("copy", sel.backend().name());
        assertTrue(sel.reason().startsWith("override for gpu9"), sel.reason());

        other.declineReason = "no room";
        sel = s.select("gpu0", big, null);
        assertEquals("copy", sel.backend().name());
        assertTrue(sel.reason().contains("other declined: no room"), sel.reason());
        assertEquals(List.of("other", "copy"), s.backends().stream().map(ResourceBackend::name).toList());
    }
}
