package org.vgpu.gpu;

import org.vgpu.gpu.crossdomain.CrossDomainContextType;
import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;

/**
 * Fuzzes the command decoder and device state with arbitrary request bytes. The first byte picks
 * the device: bit 0 set, every feature acked on a device with the cross-domain context, a backend
 * for host-visible blobs and a (fake) host-visible window for MAP_BLOB; clear, a 2D device with
 * nothing acked. The rest is a sequence of requests, each framed as [le16 length][length bytes],
 * so one input can build up resources, backings, contexts and scanouts before hitting them.
 * Checked after every request: no exception escapes, the response fits its buffer and is a
 * response the device sends, no guest memory access is attempted outside RAM, host memory stays
 * within the quota, and the window's maps are the mapped blobs'.
 *
 * The normal test run replays the seed corpus in src/test/resources/org/vgpu/gpu/DecoderFuzzTestInputs/commands.
 * To fuzz (here for 10 minutes):
 *   JAZZER_FUZZ=1 mvn -pl org.vgpu.core -am test -Dtest=DecoderFuzzTest -Dsurefire.failIfNoSpecifiedTests=false (10 minutes: the annotation)
 * Findings are written next to the seeds as crash-* files and then replayed by every run.
 */
class DecoderFuzzTest {
    static final long RAM_BASE = 0x10000;
    static final int RAM_SIZE = 256 * 1024;
    static final long WINDOW = 1 << 20;

    // Shared across inputs: fuzzing runs ~10k inputs/s and fresh direct buffers would pile up until GC.
    private static final FakeGuestMemory mem = new FakeGuestMemory(RAM_BASE, RAM_SIZE);
    private static final ByteBuffer req = ByteBuffer.allocate(MAX_REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    /** everything: a cross-domain device with every feature acked, host-visible blobs and the window; else a 2D device, nothing acked. */
    static GpuState device(boolean everything, FakeWindow window) {
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        GpuState state = new GpuState(new GpuSettings("fuzz", 2, 640, 480, 512 * 1024).withCrossDomain(everything), selector, new CrossDomainContextType());
        if (everything) {
            selector.add(new MappableCopyBackend(), 10);
            state.setHostVisible(window);
            state.setFeatures(state.offeredFeatures());
        }
        return state;
    }

    @FuzzTest(maxDuration = "10m") // fuzzing mode only (JAZZER_FUZZ=1); a normal run replays the seeds
    void commands(byte[] data) {
        if (data.length == 0) {
            return;
        }
        mem.violations = 0;
        FakeWindow window = new FakeWindow(WINDOW);
        GpuState state = device((data[0] & 1) != 0, window);
        state.addSink(new RecordingSink());
        state.setMemory(mem);
        CommandDecoder decoder = new CommandDecoder(state);
        ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1).slice().order(ByteOrder.LITTLE_ENDIAN);
        int[] responseSizes = {MAX_RESPONSE_SIZE, 24, 7, 0};
        int step = 0;
        while (in.remaining() >= 2) {
            int len = Math.min(in.getShort() & 0xffff, in.remaining());
            req.put(0, in, in.position(), len);
            in.position(in.position() + len);
            ByteBuffer resp = ByteBuffer.allocate(responseSizes[step++ & 3]).order(ByteOrder.LITTLE_ENDIAN);
            int out = decoder.handle(req, len, resp);
            assertTrue(out >= 0 && out <= resp.capacity());
            if (out >= 4) {
                int type = resp.getInt(0);
                assertTrue(ResponseWriter.isResponse(type), Integer.toHexString(type));
                assertTrue(out == resp.capacity() || out == ResponseWriter.length(type), "a response is whole or cut to its buffer");
            }
            assertEquals(0, mem.violations, "access outside guest memory");
            assertTrue(state.usedBytes() >= 0 && state.usedBytes() <= state.quotaBytes());
            assertEquals(state.resources().stream().filter(r -> r.mappedAt() >= 0).count(), window.maps.size(), "maps = mapped blobs");
        }
        // Screenshots and shell views must cope with whatever state the guest left.
        for (int s = 0; s < state.numScanouts(); s++) {
            state.capture(s, true);
        }
        state.resources();
        state.contexts();
        state.reset();
        assertEquals(0, state.usedBytes());
        assertTrue(window.maps.isEmpty(), "a reset unmaps every blob");
    }
}
