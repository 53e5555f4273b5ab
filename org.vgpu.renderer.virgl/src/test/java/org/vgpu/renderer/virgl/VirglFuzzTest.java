package org.vgpu.renderer.virgl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * Fuzzes the 3D commands with the real virglrenderer (llvmpipe, in this JVM): a sequence of
 * requests, each framed [le16 length][bytes] as core's DecoderFuzzTest frames them, against a
 * device with VIRGL acked on real guest memory (a mapped region, so virglrenderer gets host
 * pointers). What vgpu checks before virglrenderer sees anything is what is fuzzed: sizes, context
 * and resource ids, ownership, boxes, strides, offsets, iovec ranges, the quota and the pages
 * virglrenderer keeps. A SUBMIT_3D's buffer is rebuilt from its bytes out of a small vocabulary of
 * well-formed virgl commands (surfaces, framebuffer, clear, and TRANSFER3D with fuzzed boxes,
 * strides and offsets, which move data through the held pages); the decoding of arbitrary streams
 * is virglrenderer's own to validate and not what this fuzzes. Checked after every request: no
 * exception escapes, the response is one the device sends, host memory stays within the quota.
 *
 * The normal test run replays the seeds in src/test/resources/org/vgpu/renderer/virgl/VirglFuzzTestInputs/commands
 * ({@link VirglFuzzSeedsTest} writes and checks them). To fuzz:
 *   JAZZER_FUZZ=1 mvn -pl org.vgpu.renderer.virgl -am test -Dtest=VirglFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dvgpu.setup.skip=true
 */
class VirglFuzzTest {
    static final int RAM = 4 << 20;
    static final long QUOTA = 8 << 20;
    static final GuestMemoryMap memory = new GuestMemoryMap();
    private static final VirglContextType[] types;

    static {
        try {
            memory.addRegion(MemoryRegion.anonymous(GpuHarness.RAM_BASE, RAM));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
        types = TestVirgl.types();
    }

    @FuzzTest(maxDuration = "10m") // fuzzing mode only (JAZZER_FUZZ=1); a normal run replays the seeds
    void commands(byte[] data) {
        run(data);
    }

    /** Runs one input; returns the response type of each request, in order. */
    static List<Integer> run(byte[] data) {
        List<Integer> responses = new ArrayList<>();
        GpuHarness h = new GpuHarness(new GpuSettings("virgl-fuzz", 1, 64, 64, QUOTA), memory, RAM, types);
        try {
            ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            while (in.remaining() >= 2) {
                int len = Math.min(in.getShort() & 0xffff, in.remaining());
                len = Math.min(len, MAX_REQUEST_SIZE);
                h.req.clear();
                h.req.put(0, in, in.position(), len);
                in.position(in.position() + len);
                if (len >= 32 && h.req.getInt(HDR_TYPE) == CMD_SUBMIT_3D) {
                    len = rebuildStream(h.req, len);
                }
                int type = h.send(len);
                responses.add(type);
                assertTrue(h.respLength >= 0 && h.respLength <= h.resp.capacity());
                if (h.respLength >= 4) {
                    assertTrue(type >= RESP_OK_NODATA && type <= RESP_OK_MAP_INFO || type >= RESP_ERR_UNSPEC && type <= RESP_ERR_INVALID_PARAMETER,
                            Integer.toHexString(type));
                }
                assertTrue(h.state.usedBytes() >= 0 && h.state.usedBytes() <= h.state.quotaBytes(), "within the quota");
            }
        } finally {
            h.state.reset(); // the device's contexts and resources go: the renderer is free for the next input
        }
        return responses;
    }

    /**
     * SUBMIT_3D's buffer [32, len) taken as groups of 8 bytes, each one well-formed virgl command;
     * the size field is set to the stream's length unless its low bit asks to keep the fuzzed one
     * (the device's check of a buffer shorter than its size). Returns the request's new length.
     */
    static int rebuildStream(ByteBuffer req, int len) {
        int groups = Math.min((len - 32) / 8, 64);
        byte[] body = new byte[groups * 8];
        req.get(32, body);
        VirglStream s = new VirglStream();
        for (int g = 0; g < groups; g++) {
            int o = g * 8;
            int a = body[o + 1] & 0xff, b = body[o + 2] & 0xff, c = body[o + 3] & 0xff, d = body[o + 4] & 0xff;
            int e = body[o + 5] & 0xff, f = body[o + 6] & 0xff, k = body[o + 7] & 0xff;
            switch ((body[o] & 0xff) % 4) {
                case 0 -> s.surface(1 + (a & 7), b & 15, FORMAT_B8G8R8A8);
                case 1 -> s.framebuffer(1 + (a & 7));
                case 2 -> s.clear(a / 255f, b / 255f, c / 255f, 1f);
                default -> s.transfer3d(b & 15, 1 + (a & 1), c & 63, d & 63, e & 127, f & 127, (k & 3) * 256, (a >> 1) * 64);
            }
        }
        byte[] stream = s.bytes();
        long size = req.getInt(24) & 0xffffffffL;
        req.put(32, stream);
        if ((size & 1) == 0) {
            req.putInt(24, stream.length);
        }
        return 32 + stream.length;
    }

    /** A request as a seed frames it: le16 length, then the bytes. */
    static byte[] frame(ByteBuffer req, int len) {
        ByteBuffer out = ByteBuffer.allocate(2 + len).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) len);
        byte[] b = new byte[len];
        req.get(0, b);
        out.put(b);
        return out.array();
    }
}
