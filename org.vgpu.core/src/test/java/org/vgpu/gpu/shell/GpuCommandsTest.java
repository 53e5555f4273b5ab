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
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgpu.gpu.CommandDecoder;
import org.vgpu.gpu.FakeGuestMemory;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.Frame;
import org.vgpu.gpu.GpuInspection;
import org.vgpu.gpu.GpuState;
import org.vgpu.gpu.GpuStats;
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

    /** The commands need nothing but a device's inspection service: a stub that is no device answers them. */
    @Test
    void commandsReachDevicesOnlyThroughTheirInspection() throws Exception {
        GpuState.ResourceInfo res = new GpuState.ResourceInfo(5, FORMAT_B8G8R8X8, 4, 2, "stub", "because", 1, 32, 32, List.of(0),
                null, null, -1);
        GpuInspection stub = new GpuInspection() {
            public String name() { return "stub0"; }
            public List<GpuState.ResourceInfo> resources() { return List.of(res); }
            public GpuState.ResourceInfo resource(int id) { return id == 5 ? res : null; }
            public List<GpuState.ScanoutInfo> scanouts() { return List.of(new GpuState.ScanoutInfo(0, 640, 480, 5, 0, 0, 4, 2, "device")); }
            public GpuState.CursorInfo cursor() { return new GpuState.CursorInfo(true, 0, 1, 2, 3, 4, 9); }
            public GpuStats stats() { return new GpuStats(); }
            public long usedBytes() { return 32; }
            public long quotaBytes() { return 1024; }
            public Map<Integer, String> contexts() { return Map.of(1, "ctx one"); }
            public Frame capture(int scanoutId, boolean withCursor) { return new Frame(4, 2, new int[8]); }
        };
        commands.addDevice(stub);
        commands.resources();
        assertEquals(String.join("\n",
                "DEVICE  ID  FORMAT    SIZE  BACKEND  BACKING    HOST BYTES  SCANOUTS",
                "stub0   5   B8G8R8X8  4x2   stub     1 entries  32          [0]", ""), output());
        commands.scanouts();
        assertTrue(output().contains("stub0   0        640x480    device  5         4x2+0+0  (1,2) hot (3,4)"));
        commands.contexts();
        assertTrue(output().contains("stub0   1    ctx one"));
        commands.stats();
        assertTrue(output().startsWith("stub0: 0 bytes copied, 0 fences, host memory 32 / 1024 bytes"));
        commands.screenshot("stub0", 0, dir.resolve("stub.png").toString());
        assertTrue(output().startsWith("wrote 4x2"));
        commands.removeDevice(stub);
        commands.resources();
        assertTrue(output().startsWith("no GPU devices"));
    }
}
