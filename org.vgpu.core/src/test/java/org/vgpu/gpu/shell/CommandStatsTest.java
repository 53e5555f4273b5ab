package org.vgpu.gpu.shell;

import org.vgpu.gpu.crossdomain.CrossDomainContextType;
import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.CommandDecoder;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuInspection;
import org.vgpu.gpu.GpuHarness;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.GpuStats;
import org.vgpu.gpu.command.CommandType;

/** Every command the device serves has its name and its own count in the stats (none lands in "other"). */
class CommandStatsTest {
    static final int[] SERVED = {
        CMD_GET_DISPLAY_INFO, CMD_RESOURCE_CREATE_2D, CMD_RESOURCE_UNREF, CMD_SET_SCANOUT, CMD_RESOURCE_FLUSH,
        CMD_TRANSFER_TO_HOST_2D, CMD_RESOURCE_ATTACH_BACKING, CMD_RESOURCE_DETACH_BACKING, CMD_GET_CAPSET_INFO,
        CMD_GET_CAPSET, CMD_GET_EDID, CMD_RESOURCE_ASSIGN_UUID, CMD_RESOURCE_CREATE_BLOB, CMD_SET_SCANOUT_BLOB,
        CMD_CTX_CREATE, CMD_CTX_DESTROY, CMD_CTX_ATTACH_RESOURCE, CMD_CTX_DETACH_RESOURCE, CMD_RESOURCE_CREATE_3D,
        CMD_TRANSFER_TO_HOST_3D, CMD_TRANSFER_FROM_HOST_3D, CMD_SUBMIT_3D, CMD_RESOURCE_MAP_BLOB, CMD_RESOURCE_UNMAP_BLOB,
        CMD_UPDATE_CURSOR, CMD_MOVE_CURSOR,
    };

    @Test
    void everyCommandIsNamedAndCounted() throws Exception {
        GpuHarness h = new GpuHarness(GpuSettings.defaults("s").withCrossDomain(true), 1 << 20);
        h.state.setBlobEnabled(true);
        assertEquals(SERVED.length, CommandType.count(), "the table holds every command the device serves");
        for (int i = 0; i < SERVED.length; i++) {
            String name = commandName(SERVED[i]);
            assertFalse(name.startsWith("0x"), name);
            assertEquals(SERVED[i], CommandType.of(SERVED[i]).code());
            for (int k = 0; k <= i; k++) {
                h.cmd(SERVED[i]); // i + 1 of each, header only: most are too short, all are counted
            }
        }
        h.cmd(0x20a);
        h.cmd(0x1234);
        GpuStats s = h.state.statsSnapshot();
        for (int i = 0; i < SERVED.length; i++) {
            assertEquals(i + 1, s.commands(SERVED[i]), commandName(SERVED[i]));
        }
        assertEquals(2, s.otherCommands(), "unknown codes");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GpuCommands shell = new GpuCommands(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        GpuDevice device = new GpuDevice(GpuSettings.defaults("gpu0").withCrossDomain(true), h.selector, new CrossDomainContextType());
        shell.addDevice(GpuInspection.of(device.state()));
        CommandDecoder decoder = new CommandDecoder(device.state());
        device.ackFeatures(device.offeredFeatures());
        h.header(CMD_SUBMIT_3D);
        decoder.handle(h.req, HDR_SIZE, h.resp);
        h.header(CMD_RESOURCE_MAP_BLOB);
        decoder.handle(h.req, HDR_SIZE, h.resp);
        shell.stats();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.matches("(?s).*SUBMIT_3D +1\\b.*"), out);
        assertTrue(out.matches("(?s).*RESOURCE_MAP_BLOB +1\\b.*"), out);
        assertTrue(out.matches("(?s).*RESOURCE_CREATE_BLOB +0\\b.*"), out);
        assertTrue(out.matches("(?s).*other +0\\b.*"), out);
        assertFalse(out.contains("0x2"), out);
    }
}
