package org.vgpu.renderer.virgl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;

/**
 * The virgl fuzzer's seed: one guest's whole 3D pipeline (context, 3D resource, backing, attach,
 * a stream that draws and reads back through the held pages, TRANSFER_FROM_HOST_3D, scanout,
 * flush, detach, unref, destroy), every request answered OK, so fuzzing starts past the door of
 * each 3D command. main() writes it (run from this module's directory).
 */
class VirglFuzzSeedsTest {
    static final Path SEED = Path.of("src/test/resources/org/vgpu/renderer/virgl/VirglFuzzTestInputs/commands/seed-3d-pipeline");
    static final int CTX = 1, RES = 3, W = 16, H = 16;
    static final long PAGES = GpuHarness.RAM_BASE + 16 * GpuHarness.PAGE;

    @Test
    void theSeedRunsTheWhole3dPipelineWithoutAnError() throws Exception {
        byte[] seed = Files.readAllBytes(SEED);
        List<Integer> responses = VirglFuzzTest.run(seed);
        assertEquals(12, responses.size(), "requests in the seed");
        assertEquals(Collections.nCopies(12, RESP_OK_NODATA), responses);
        assertEquals(0xFFFF0000, VirglFuzzTest.memory.readInt(PAGES), "the stream's clear, read back into the guest page");
    }

    public static void main(String[] args) throws Exception {
        Files.createDirectories(SEED.getParent());
        Files.write(SEED, seed());
    }

    static byte[] seed() throws Exception {
        GpuHarness h = new GpuHarness(new GpuSettings("seed", 1, 64, 64, VirglFuzzTest.QUOTA), 1 << 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer r = h.header(CMD_CTX_CREATE, 0, 0, CTX, 0);
        r.putInt(24, 4).putInt(28, 0).put(32, (byte) 'f').put(33, (byte) 'u').put(34, (byte) 'z').put(35, (byte) 'z'); // capset 0: VIRGL
        out.write(VirglFuzzTest.frame(r, REQ_CTX_CREATE));
        r = h.header(CMD_RESOURCE_CREATE_3D, 0, 0, CTX, 0);
        r.putInt(24, RES).putInt(28, 2).putInt(32, FORMAT_B8G8R8A8).putInt(36, 1 << 1 | 1 << 3).putInt(40, W).putInt(44, H).putInt(48, 1)
                .putInt(52, 1).putInt(56, 0).putInt(60, 0).putInt(64, 0);
        out.write(VirglFuzzTest.frame(r, REQ_RESOURCE_CREATE_3D));
        r = h.header(CMD_RESOURCE_ATTACH_BACKING);
        r.putInt(24, RES).putInt(28, 1).putLong(32, PAGES).putInt(40, W * H * 4);
        out.write(VirglFuzzTest.frame(r, REQ_ATTACH_BACKING + MEM_ENTRY_SIZE));
        r = h.header(CMD_CTX_ATTACH_RESOURCE, 0, 0, CTX, 0);
        r.putInt(24, RES);
        out.write(VirglFuzzTest.frame(r, REQ_CTX_RESOURCE));
        // SUBMIT_3D: groups of 8 bytes that VirglFuzzTest.rebuildStream turns into virgl commands.
        r = h.header(CMD_SUBMIT_3D, 0, 0, CTX, 0);
        byte[][] groups = {
            {0, 0, RES, 0, 0, 0, 0, 0},              // surface 1 of the resource
            {1, 0, 0, 0, 0, 0, 0, 0},                // framebuffer: surface 1
            {2, (byte) 255, 0, 0, 0, 0, 0, 0},       // clear to red
            {3, 1, RES, 0, 0, W, H, 0},              // TRANSFER3D from the host into the held pages
        };
        for (int g = 0; g < groups.length; g++) {
            r.put(32 + 8 * g, groups[g]);
        }
        r.putInt(24, 8 * groups.length);
        out.write(VirglFuzzTest.frame(r, 32 + 8 * groups.length));
        r = h.header(CMD_TRANSFER_FROM_HOST_3D, 0, 0, CTX, 0);
        r.putInt(24, 0).putInt(28, 0).putInt(32, 0).putInt(36, W).putInt(40, H).putInt(44, 1).putLong(48, 0).putInt(56, RES);
        out.write(VirglFuzzTest.frame(r, 72));
        r = h.header(CMD_SET_SCANOUT);
        r.putInt(24, 0).putInt(28, 0).putInt(32, W).putInt(36, H).putInt(40, 0).putInt(44, RES);
        out.write(VirglFuzzTest.frame(r, 48));
        r = h.header(CMD_RESOURCE_FLUSH);
        r.putInt(24, 0).putInt(28, 0).putInt(32, W).putInt(36, H).putInt(40, RES);
        out.write(VirglFuzzTest.frame(r, 48));
        r = h.header(CMD_SET_SCANOUT);
        r.putInt(24, 0).putInt(28, 0).putInt(32, 0).putInt(36, 0).putInt(40, 0).putInt(44, 0); // scanout off
        out.write(VirglFuzzTest.frame(r, 48));
        r = h.header(CMD_RESOURCE_DETACH_BACKING);
        r.putInt(24, RES);
        out.write(VirglFuzzTest.frame(r, 32));
        r = h.header(CMD_RESOURCE_UNREF);
        r.putInt(24, RES);
        out.write(VirglFuzzTest.frame(r, 32));
        r = h.header(CMD_CTX_DESTROY, 0, 0, CTX, 0);
        out.write(VirglFuzzTest.frame(r, 24));
        return out.toByteArray();
    }
}
