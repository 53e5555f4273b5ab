package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vgpu.gpu.crossdomain.CrossDomainContextType;

/** Context types through the SPI: capsets listed from the types present, a context's commands, a type going away. */
class ContextTypeTest {
    final EchoContextType echo = new EchoContextType(EchoContextType.CAPSET, 0);

    @AfterEach
    void stop() {
        echo.shutdown();
    }

    static int numCapsets(GpuDevice d) {
        ByteBuffer cfg = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        d.readConfig(CONFIG_NUM_CAPSETS, cfg);
        return cfg.getInt(0);
    }

    int createContext(GpuHarness h, int ctx, int capset) {
        h.header(CMD_CTX_CREATE, 0, 0, ctx, 0);
        h.req.putInt(24, 4).putInt(28, capset).put(32, (byte) 't').put(33, (byte) 'e').put(34, (byte) 's').put(35, (byte) 't');
        return h.send(REQ_CTX_CREATE);
    }

    @Test
    void capsetsAreListedFromTheTypesInTheOrderTheyCame() {
        GpuHarness h = new GpuHarness(GpuSettings.defaults("c").withCrossDomain(true), 1 << 20, new CrossDomainContextType(), echo);
        assertEquals(RESP_OK_CAPSET_INFO, h.cmd(CMD_GET_CAPSET_INFO, 0, 0));
        assertEquals(CAPSET_CROSS_DOMAIN, h.resp.getInt(24));
        assertEquals(RESP_OK_CAPSET_INFO, h.cmd(CMD_GET_CAPSET_INFO, 1, 0));
        assertEquals(EchoContextType.CAPSET, h.resp.getInt(24));
        assertEquals(1, h.resp.getInt(28), "max version");
        assertEquals(12, h.resp.getInt(32), "max size over the versions");
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_GET_CAPSET_INFO, 2, 0));
        assertEquals(RESP_OK_CAPSET, h.cmd(CMD_GET_CAPSET, EchoContextType.CAPSET, 1));
        assertEquals(HDR_SIZE + 12, h.respLength, "the version's own size");
        assertEquals((byte) (EchoContextType.CAPSET + 11), h.resp.get(HDR_SIZE + 11));
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_GET_CAPSET, EchoContextType.CAPSET, 2), "above max version");
        assertEquals(RESP_OK_CAPSET, h.cmd(CMD_GET_CAPSET, CAPSET_CROSS_DOMAIN, 0));
        assertEquals(RESP_CAPSET_SIZE, h.respLength, "cross-domain's capset as before");
    }

    @Test
    void crossDomainFalseFiltersCrossDomainAndNoTypeMeansA2dDevice() {
        RecordingSelector none = new RecordingSelector();
        GpuDevice off = new GpuDevice(GpuSettings.defaults("off"), none.selector, new CrossDomainContextType());
        assertEquals(0L, off.offeredFeatures() & 0x11, "cross.domain=false: as a 2D device");
        assertEquals(0, numCapsets(off));
        GpuDevice other = new GpuDevice(GpuSettings.defaults("o"), none.selector, new CrossDomainContextType(), echo);
        assertEquals(0x11L, other.offeredFeatures() & 0x11, "another type is offered on its own");
        assertEquals(1, numCapsets(other));
    }

    @Test
    void aTypeThatAppearsLaterIsOfferedAfterTheNextReset() {
        RecordingSelector none = new RecordingSelector();
        GpuDevice d = new GpuDevice(GpuSettings.defaults("late"), none.selector);
        EchoContextType early = new EchoContextType(0x70, 0);
        assertEquals(0L, d.offeredFeatures() & 0x11);
        d.addContextType(early);
        assertEquals(0x11L, d.offeredFeatures() & 0x11, "reading the features fixes nothing");
        d.removeContextType(early);
        d.ackFeatures(d.offeredFeatures());
        d.addContextType(echo);
        assertEquals(0L, d.offeredFeatures() & 0x11, "the driver acked features already");
        assertEquals(0, numCapsets(d));
        d.reset();
        assertEquals(0x11L, d.offeredFeatures() & 0x11);
        assertEquals(1, numCapsets(d));
    }

    @Test
    void submitReachesTheTypeAndItWritesTheAttachedResource() {
        GpuHarness h = new GpuHarness(GpuSettings.defaults("e"), 1 << 20, echo);
        h.state.setBlobEnabled(true);
        assertEquals(RESP_OK_NODATA, createContext(h, 3, EchoContextType.CAPSET));
        assertEquals("create 3 test", echo.events.get(0));
        long[] pages = h.pages(GpuHarness.PAGE);
        h.header(CMD_RESOURCE_CREATE_BLOB, 0, 0, 3, 0);
        h.req.putInt(24, 9).putInt(28, BLOB_MEM_GUEST).putInt(32, 0).putInt(36, 1).putLong(40, 0).putLong(48, GpuHarness.PAGE)
                .putLong(56, pages[0]).putInt(64, GpuHarness.PAGE);
        assertEquals(RESP_OK_NODATA, h.send(REQ_RESOURCE_CREATE_BLOB + MEM_ENTRY_SIZE));
        int[] body = {9, 0x11223344};
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, submit(h, 3, body), "not attached yet: the host refuses the write");
        h.header(CMD_CTX_ATTACH_RESOURCE, 0, 0, 3, 0);
        h.req.putInt(24, 9);
        assertEquals(RESP_OK_NODATA, h.send(REQ_CTX_RESOURCE));
        assertEquals(RESP_OK_NODATA, submit(h, 3, body));
        assertEquals(0x44, h.getBacking(pages, 4) & 0xff, "the context wrote the guest page");
        assertEquals("echo-127 'test': 1 resources, attached [9]", h.state.contexts().get(3));
    }

    /**
     * Mesa's virgl driver never sends CONTEXT_INIT: Linux creates its context with capset 0, which
     * virglrenderer and QEMU treat as VIRGL. With a VIRGL type offered the context is that type's
     * (its SUBMIT_3D runs); without one it stays a default context that runs nothing.
     */
    @Test
    void aCapsetZeroContextIsAVirglContextWhenVirglIsOffered() {
        EchoContextType virgl = new EchoContextType(CAPSET_VIRGL, 0);
        try {
            GpuHarness h = new GpuHarness(GpuSettings.defaults("v"), 1 << 20, virgl);
            assertEquals(RESP_OK_NODATA, createContext(h, 2, 0));
            assertEquals("create 2 test", virgl.events.get(0), "capset 0 made a VIRGL context");
            assertEquals(RESP_OK_NODATA, submit(h, 2, new int[] {0, 7}));
            assertEquals("submit 2 ring 0 8", virgl.events.get(1));
        } finally {
            virgl.shutdown();
        }
        GpuHarness other = new GpuHarness(GpuSettings.defaults("o"), 1 << 20, echo);
        assertEquals(RESP_OK_NODATA, createContext(other, 2, 0));
        assertTrue(echo.events.isEmpty(), "no VIRGL type: a default context, no type's context");
        assertEquals(RESP_ERR_INVALID_PARAMETER, submit(other, 2, new int[] {0, 7}), "a default context runs nothing");
    }

    static int submit(GpuHarness h, int ctx, int[] words) {
        h.header(CMD_SUBMIT_3D, 0, 0, ctx, 0);
        h.req.putInt(24, 4 * words.length);
        for (int i = 0; i < words.length; i++) {
            h.req.putInt(32 + 4 * i, words[i]);
        }
        return h.send(32 + 4 * words.length);
    }

    @Test
    void aTypeGoingAwayDestroysItsContextsAndTheirResourcesStay() {
        GpuHarness h = new GpuHarness(GpuSettings.defaults("g").withCrossDomain(true), 1 << 20, new CrossDomainContextType(), echo);
        assertEquals(RESP_OK_NODATA, createContext(h, 1, EchoContextType.CAPSET));
        assertEquals(RESP_OK_NODATA, createContext(h, 2, CAPSET_CROSS_DOMAIN));
        assertEquals(RESP_OK_NODATA, h.create(5, FORMAT_B8G8R8X8, 4, 4));
        h.header(CMD_CTX_ATTACH_RESOURCE, 0, 0, 1, 0);
        h.req.putInt(24, 5);
        assertEquals(RESP_OK_NODATA, h.send(REQ_CTX_RESOURCE));
        h.state.removeContextType(echo);
        assertTrue(echo.events.contains("destroy 1"));
        assertEquals(1, h.state.contexts().size(), "the cross-domain context stays");
        assertTrue(h.state.resource(5) != null, "the resource stays valid, detached");
        assertEquals(RESP_ERR_INVALID_CONTEXT_ID, submit(h, 1, new int[] {5, 0}));
        assertEquals(RESP_ERR_INVALID_PARAMETER, createContext(h, 1, EchoContextType.CAPSET), "its capset is listed until reset, not served");
        assertEquals(RESP_OK_CAPSET_INFO, h.cmd(CMD_GET_CAPSET_INFO, 1, 0), "num_capsets did not change under the driver");
        assertEquals(RESP_ERR_INVALID_PARAMETER, h.cmd(CMD_GET_CAPSET, EchoContextType.CAPSET, 0));
    }

    /** A selector with the copy backend only. */
    static final class RecordingSelector {
        final org.vgpu.gpu.backend.RankedBackendSelector selector = new org.vgpu.gpu.backend.RankedBackendSelector();

        RecordingSelector() {
            selector.add(new org.vgpu.gpu.backend.copy.CopyBackend(), 0);
        }
    }
}
