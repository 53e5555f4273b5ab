package org.vgpu.gpu;

import org.vgpu.gpu.crossdomain.CrossDomainContextType;
import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;

/** The commands a feature enables are served exactly while the driver has it acked, across device resets. */
class FeatureNegotiationTest {
    static final long RAM = 0x10000;

    final RankedBackendSelector selector = new RankedBackendSelector();
    final GpuDevice device;
    final CommandDecoder decoder;
    final ByteBuffer req = ByteBuffer.allocate(MAX_REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    final ByteBuffer resp = ByteBuffer.allocate(MAX_RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    FeatureNegotiationTest() {
        selector.add(new CopyBackend(), 0);
        device = new GpuDevice(new GpuSettings("f", 1, 640, 480, 8 << 20).withCrossDomain(true), selector, new CrossDomainContextType());
        decoder = new CommandDecoder(device.state());
    }

    int send(int type, int ctxId, int length, int... fields) {
        req.clear();
        for (int i = 0; i < 128; i += 8) {
            req.putLong(i, 0);
        }
        req.putInt(HDR_TYPE, type).putInt(HDR_CTX_ID, ctxId);
        for (int i = 0; i < fields.length; i++) {
            req.putInt(HDR_SIZE + 4 * i, fields[i]);
        }
        decoder.handle(req, length, resp);
        return resp.getInt(0);
    }

    /** A GUEST blob of one page; a cross-domain context; EDID; a UUID for resource 1. */
    void expectServed(boolean served, String when) {
        device.state().setMemory(new FakeGuestMemory(RAM, 1 << 20));
        int blob = send(CMD_RESOURCE_CREATE_BLOB, 0, REQ_RESOURCE_CREATE_BLOB + MEM_ENTRY_SIZE,
                9, BLOB_MEM_GUEST, 0, 1, 0, 0, 4096, 0, (int) RAM, 0, 4096, 0);
        int ctx = send(CMD_CTX_CREATE, 3, REQ_CTX_CREATE, 0, CAPSET_CROSS_DOMAIN);
        int attach = send(CMD_CTX_ATTACH_RESOURCE, 3, REQ_CTX_RESOURCE, 9, 0);
        int submit = send(CMD_SUBMIT_3D, 3, REQ_SUBMIT_3D, 0, 0);
        int edid = send(CMD_GET_EDID, 0, REQ_GET_EDID, 0, 0);
        int uuid = send(CMD_RESOURCE_ASSIGN_UUID, 0, REQ_ASSIGN_UUID, 9, 0);
        int unmap = send(CMD_RESOURCE_UNMAP_BLOB, 0, REQ_UNMAP_BLOB, 9, 0);
        if (served) {
            assertEquals(RESP_OK_NODATA, blob, when + ": CREATE_BLOB");
            assertEquals(RESP_OK_NODATA, ctx, when + ": CTX_CREATE");
            assertEquals(RESP_OK_NODATA, attach, when + ": CTX_ATTACH_RESOURCE");
            assertEquals(RESP_OK_NODATA, submit, when + ": SUBMIT_3D");
            assertEquals(RESP_OK_EDID, edid, when + ": GET_EDID");
            assertEquals(RESP_OK_RESOURCE_UUID, uuid, when + ": RESOURCE_ASSIGN_UUID");
            assertEquals(RESP_ERR_INVALID_RESOURCE_ID, unmap, when + ": UNMAP_BLOB of a guest blob");
        } else {
            for (int r : new int[] {blob, ctx, attach, submit, edid, uuid, unmap}) {
                assertEquals(RESP_ERR_UNSPEC, r, when + ": " + responseName(r));
            }
            assertTrue(device.state().resources().isEmpty(), when + ": nothing was created");
            assertTrue(device.state().contexts().isEmpty(), when + ": no context was created");
        }
    }

    @Test
    void refusedBeforeTheFeaturesAreAcked() {
        expectServed(false, "nothing acked");
    }

    @Test
    void aResetRefusesBlobAndContextCommandsUntilAckedAgain() {
        device.ackFeatures(device.offeredFeatures());
        expectServed(true, "all acked");
        device.reset();
        assertEquals(0, device.ackedFeatures());
        expectServed(false, "after reset");
        device.ackFeatures(device.offeredFeatures());
        expectServed(true, "acked again");
    }

    @Test
    void eachFeatureEnablesOnlyItsCommands() {
        device.ackFeatures(1L << F_VERSION_1 | 1L << F_EDID);
        assertEquals(RESP_OK_EDID, send(CMD_GET_EDID, 0, REQ_GET_EDID, 0, 0));
        assertEquals(RESP_ERR_UNSPEC, send(CMD_RESOURCE_ASSIGN_UUID, 0, REQ_ASSIGN_UUID, 1, 0));
        assertEquals(RESP_ERR_UNSPEC, send(CMD_RESOURCE_MAP_BLOB, 0, REQ_MAP_BLOB, 1, 0, 0, 0));
        assertEquals(RESP_ERR_UNSPEC, send(CMD_RESOURCE_CREATE_3D, 0, REQ_RESOURCE_CREATE_3D, 1, PIPE_TEXTURE_2D));
        device.ackFeatures(1L << F_VERSION_1 | 1L << F_VIRGL);
        assertEquals(RESP_ERR_UNSPEC, send(CMD_GET_EDID, 0, REQ_GET_EDID, 0, 0), "EDID no longer acked");
        assertEquals(RESP_ERR_INVALID_PARAMETER, send(CMD_CTX_CREATE, 3, REQ_CTX_CREATE, 0, CAPSET_CROSS_DOMAIN),
                "a capset in context_init needs CONTEXT_INIT");
        assertEquals(RESP_OK_NODATA, send(CMD_CTX_CREATE, 3, REQ_CTX_CREATE, 0, 0), "a default context needs VIRGL only");
    }
}
