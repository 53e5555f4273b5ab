package org.vgpu.gpu.shell;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgpu.gpu.CommandDecoder;
import org.vgpu.gpu.FakeGuestMemory;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuInspection;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;

class GpuCommandsTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final GpuCommands commands = new GpuCommands(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String output() {
        String s = bytes.toString(StandardCharsets.UTF_8);
        bytes.reset();
        return s;
    }

    @Test
    void tablesShowDeviceState() throws Exception {
        RankedBackendSelector sel = new RankedBackendSelector();
        sel.add(new CopyBackend(), 0);
        GpuDevice dev = new GpuDevice(new GpuSettings("gpu0", 2, 1280, 800, 1 << 24), sel);
        FakeGuestMemory mem = new FakeGuestMemory(0, 1 << 20);
        dev.state().setMemory(mem);
        commands.addDevice(GpuInspection.of(dev.state()));
        CommandDecoder dec = new CommandDecoder(dev.state());
        ByteBuffer req = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer resp = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        req.putInt(0, CMD_RESOURCE_CREATE_2D).putInt(24, 7).putInt(28, FORMAT_B8G8R8X8).putInt(32, 32).putInt(36, 16);
        dec.handle(req, REQ_RESOURCE_CREATE_2D, resp);
        req.putInt(0, CMD_RESOURCE_ATTACH_BACKING).putInt(24, 7).putInt(28, 1).putLong(32, 0).putInt(40, 2048);
        dec.handle(req, REQ_ATTACH_BACKING + MEM_ENTRY_SIZE, resp);
        req.putInt(0, CMD_SET_SCANOUT).putInt(24, 0).putInt(28, 0).putInt(32, 32).putInt(36, 16).putInt(40, 1).putInt(44, 7);
        dec.handle(req, REQ_SET_SCANOUT, resp);
        assertEquals(RESP_OK_NODATA, resp.getInt(0));

        commands.resources();
        String res = output();
        assertTrue(res.startsWith("DEVICE  ID  FORMAT    SIZE   BACKEND  BACKING    HOST BYTES  SCANOUTS"), res);
        assertTrue(res.contains("gpu0    7   B8G8R8X8  32x16  copy     1 entries  2048        [1]"), res);

        commands.resource(7);
        String one = output();
        assertTrue(one.contains("backend reason") && one.contains("(not assigned)"), one);

        commands.scanouts();
        String sc = output();
        assertTrue(sc.contains("disabled") && sc.contains("32x16+0+0"), sc);

        commands.stats();
        String st = output();
        assertTrue(st.contains("RESOURCE_CREATE_2D") && st.contains("ERR_INVALID_PARAMETER"), st);

        Path png = dir.resolve("s.png");
        commands.screenshot("gpu0", 1, png.toString());
        assertTrue(output().startsWith("wrote 32x16"));
        assertTrue(Files.size(png) > 50);
        commands.screenshot("gpu0", 0, dir.resolve("t.png").toString());
        assertTrue(output().contains("disabled"));
        commands.resources("nope");
        assertTrue(output().contains("no GPU device nope"));
    }
}
