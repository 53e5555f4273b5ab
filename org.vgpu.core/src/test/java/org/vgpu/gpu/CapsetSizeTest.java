package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.RenderingContext;

/** Capsets larger than an EDID response (virglrenderer's VIRGL2: 1376 bytes) are offered and sent whole; larger than the device's room are not offered. */
class CapsetSizeTest {

    /** A type whose one capset is size bytes, byte i = i * 7. */
    static ContextType sized(int capsetId, int size) {
        return new ContextType() {
            @Override
            public String name() {
                return "sized-" + size;
            }

            @Override
            public int capsetId() {
                return capsetId;
            }

            @Override
            public int maxVersion() {
                return 0;
            }

            @Override
            public int capsetSize(int version) {
                return size;
            }

            @Override
            public void writeCapset(int version, ByteBuffer dst) {
                for (int i = 0; i < size; i++) {
                    dst.put((byte) (i * 7));
                }
            }

            @Override
            public RenderingContext create(ContextHost host, String debugName) {
                return null;
            }
        };
    }

    @Test
    void aVirgl2SizedCapsetIsSentWhole() {
        GpuHarness h = new GpuHarness(GpuSettings.defaults("c"), 1 << 20, sized(CAPSET_VIRGL2, 1376));
        assertEquals(RESP_OK_CAPSET_INFO, h.cmd(CMD_GET_CAPSET_INFO, 0, 0));
        assertEquals(CAPSET_VIRGL2, h.resp.getInt(24));
        assertEquals(1376, h.resp.getInt(32), "capset_max_size");
        assertEquals(RESP_OK_CAPSET, h.cmd(CMD_GET_CAPSET, CAPSET_VIRGL2, 0));
        assertEquals(HDR_SIZE + 1376, h.respLength);
        for (int i = 0; i < 1376; i++) {
            assertEquals((byte) (i * 7), h.resp.get(HDR_SIZE + i), "capset byte " + i);
        }
    }

    @Test
    void aCapsetBeyondTheRoomIsNotOffered() {
        GpuHarness h = new GpuHarness(GpuSettings.defaults("c"), 1 << 20, sized(CAPSET_VIRGL, MAX_CAPSET_SIZE + 1), sized(CAPSET_VIRGL2, MAX_CAPSET_SIZE));
        assertEquals(RESP_OK_CAPSET_INFO, h.cmd(CMD_GET_CAPSET_INFO, 0, 0));
        assertEquals(CAPSET_VIRGL2, h.resp.getInt(24), "only the one that fits");
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_GET_CAPSET_INFO, 1, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_GET_CAPSET, CAPSET_VIRGL, 0));
        assertEquals(RESP_OK_CAPSET, h.cmd(CMD_GET_CAPSET, CAPSET_VIRGL2, 0));
        assertEquals(HDR_SIZE + MAX_CAPSET_SIZE, h.respLength);
    }
}
