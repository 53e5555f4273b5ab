package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import org.junit.jupiter.api.Test;

/** GET_EDID returns a valid EDID 1.4 base block whose preferred timing is the configured mode. */
class EdidTest {

    private static byte[] edid(GpuHarness g, int scanout) {
        assertEquals(RESP_OK_EDID, g.cmd(CMD_GET_EDID, scanout, 0));
        assertEquals(128, g.resp.getInt(HDR_SIZE));
        byte[] e = new byte[128];
        g.resp.get(HDR_SIZE + 8, e);
        for (int i = HDR_SIZE + 8 + 128; i < RESP_EDID_SIZE; i++) {
            assertEquals(0, g.resp.get(i), "padding after the block is zero");
        }
        return e;
    }

    @Test
    void headerChecksumVersion() {
        byte[] e = edid(new GpuHarness(), 0);
        assertArrayEquals(new byte[] {0, -1, -1, -1, -1, -1, -1, 0}, java.util.Arrays.copyOf(e, 8));
        int sum = 0;
        for (byte b : e) {
            sum += b & 0xff;
        }
        assertEquals(0, sum % 256, "checksum");
        assertEquals(1, e[18]);
        assertEquals(4, e[19]);
        assertTrue((e[20] & 0x80) != 0, "digital input");
        assertEquals("VGP", manufacturer(e));
        assertEquals(0, e[126], "no extensions");
    }

    @Test
    void preferredTimingIsConfiguredSize() {
        GpuHarness g = new GpuHarness(new GpuSettings("g", 2, 1920, 1080, 1 << 20), 1 << 20);
        for (int s = 0; s < 2; s++) {
            byte[] e = edid(g, s);
            int o = 54;
            int clock = (e[o] & 0xff) | (e[o + 1] & 0xff) << 8;
            assertTrue(clock > 0, "first descriptor is a detailed timing");
            int hActive = (e[o + 2] & 0xff) | (e[o + 4] & 0xf0) << 4;
            int hBlank = (e[o + 3] & 0xff) | (e[o + 4] & 0x0f) << 8;
            int vActive = (e[o + 5] & 0xff) | (e[o + 7] & 0xf0) << 4;
            int vBlank = (e[o + 6] & 0xff) | (e[o + 7] & 0x0f) << 8;
            assertEquals(1920, hActive);
            assertEquals(1080, vActive);
            double refresh = clock * 10_000.0 / ((hActive + hBlank) * (vActive + vBlank));
            assertEquals(60, refresh, 0.5);
            assertTrue((e[24] & 0x02) != 0, "preferred timing mode is native");
        }
    }

    @Test
    void standardTimingsAndDescriptors() {
        byte[] e = edid(new GpuHarness(), 0);
        java.util.Set<String> modes = new java.util.HashSet<>();
        for (int i = 38; i < 54; i += 2) {
            if (e[i] == 1 && e[i + 1] == 1) {
                continue;
            }
            int w = ((e[i] & 0xff) + 31) * 8;
            int aspect = (e[i + 1] & 0xc0) >> 6;
            int h = aspect == 0 ? w * 10 / 16 : aspect == 1 ? w * 3 / 4 : aspect == 2 ? w * 4 / 5 : w * 9 / 16;
            assertEquals(60, (e[i + 1] & 0x3f) + 60);
            modes.add(w + "x" + h);
        }
        assertTrue(modes.containsAll(java.util.List.of("1280x800", "1920x1080", "1280x1024")), modes.toString());
        assertTrue((e[35] & 0x20) != 0, "640x480 established");
        boolean range = false;
        boolean name = false;
        for (int d = 72; d < 126; d += 18) {
            if (e[d] == 0 && e[d + 1] == 0) {
                range |= (e[d + 3] & 0xff) == 0xfd;
                name |= (e[d + 3] & 0xff) == 0xfc && new String(e, d + 5, 4).equals("vgpu");
            }
        }
        assertTrue(range && name);
    }

    @Test
    void configurationChangeUpdatesEdid() {
        GpuHarness g = new GpuHarness();
        g.state.setPreferredMode(0, 1024, 768);
        byte[] e = edid(g, 0);
        assertEquals(1024, (e[56] & 0xff) | (e[58] & 0xf0) << 4);
        assertEquals(RESP_OK_DISPLAY_INFO, g.cmd(CMD_GET_DISPLAY_INFO));
        assertEquals(1024, g.resp.getInt(HDR_SIZE + 8));
    }

    private static String manufacturer(byte[] e) {
        int m = (e[8] & 0xff) << 8 | (e[9] & 0xff);
        return "" + (char) ('@' + (m >> 10 & 31)) + (char) ('@' + (m >> 5 & 31)) + (char) ('@' + (m & 31));
    }

    /** A display's EDID (QEMU's, over vhost-user) replaces the device's only if it is one; the guest reads it as given. */
    @Test
    void aDisplaysEdidIsUsedOnlyIfValid() {
        GpuHarness g = new GpuHarness();
        byte[] own = edid(g, 0);
        assertTrue(Edid.isValid(own), "the device's own EDID passes its own check");
        byte[] qemu = java.util.Arrays.copyOf(own, 256); // two blocks: an extension block of zeros
        qemu[12] = 0x42; // another serial
        qemu[127] = (byte) (qemu[127] - 0x42 + own[12]); // checksum fixed
        assertTrue(g.state.setDisplayEdid(0, qemu));
        assertFalse(g.state.setDisplayEdid(0, qemu.clone()), "unchanged: no display event");
        assertArrayEquals(qemu, edidAsSent(g), "GET_EDID answers the display's EDID, 256 bytes");
        byte[] badSum = qemu.clone();
        badSum[20]++;
        byte[] badHeader = qemu.clone();
        badHeader[1] = 0;
        for (byte[] bad : new byte[][] {badSum, badHeader, new byte[127], new byte[200], new byte[1152], null}) {
            assertFalse(g.state.setDisplayEdid(0, bad));
        }
        assertFalse(g.state.setDisplayEdid(1, qemu), "no scanout 1");
        assertFalse(g.state.setDisplayEdid(-1, qemu));
        assertArrayEquals(qemu, edidAsSent(g), "the last valid one stays");
    }

    private static byte[] edidAsSent(GpuHarness g) {
        assertEquals(RESP_OK_EDID, g.cmd(CMD_GET_EDID, 0, 0));
        byte[] e = new byte[g.resp.getInt(HDR_SIZE)];
        g.resp.get(HDR_SIZE + 8, e);
        return e;
    }
}
