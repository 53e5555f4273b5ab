package org.vgpu.backend.hostmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.spi.PixelFormat;

/**
 * The cross-domain Wayland channel against a real compositor (Debian's weston 10, headless,
 * pixman, kiosk-shell), through the device's real command path: a test guest speaks the
 * cross-domain protocol over the control queue, sends raw Wayland requests in SENDs and reads the
 * compositor's events from RECEIVEs. It lists the globals, then shows a window whose buffer is a
 * HOST3D blob the guest drew into, passed to wl_shm.create_pool as a VIRTGPU_BLOB identifier:
 * weston's screenshot has its pixels, exact, and nothing was copied.
 */
@Timeout(120)
class WestonChannelTest {
    static final int W = 320, H = 240, CTX = 3, OTHER_CTX = 4, QUERY = 1, CHANNEL = 2, BUFFER = 10;
    static final int XRGB8888 = 1; // wl_shm format
    // client object ids
    static final int DISPLAY = 1, REGISTRY = 2, SYNC = 3, COMPOSITOR = 4, SHM = 5, WM_BASE = 6, SURFACE = 7, POOL = 8, WL_BUFFER = 9,
            XDG_SURFACE = 10, TOPLEVEL = 11, FRAME = 12, SYNC2 = 13;

    HeadlessWeston weston;
    CrossDomainGuest guest;

    @AfterEach
    void stop() throws Exception {
        if (guest != null) {
            guest.close();
        }
        if (weston != null) {
            weston.close();
        }
    }

    static int pixel(int x, int y) {
        return (x * 255 / W) << 16 | (y * 255 / H) << 8 | ((x / 16 + y / 16) % 2 == 0 ? 0xc0 : 0x30);
    }

    /** wl_display.get_registry + sync; the globals by interface name until the sync's done. */
    static Map<String, int[]> globals(ChannelPeer peer, Wayland.Stream stream) throws Exception {
        assertEquals(RESP_OK_NODATA, peer.send(Wayland.concat(Wayland.request(DISPLAY, 1, REGISTRY), Wayland.request(DISPLAY, 0, SYNC))));
        Map<String, int[]> globals = new HashMap<>();
        for (Wayland.Event e : peer.eventsUntil(stream, e -> e.object() == SYNC, 10_000)) {
            if (e.object() == REGISTRY && e.opcode() == 0) {
                String name = e.string(4);
                int nameLen = (e.args().getInt(4) + 3) & ~3;
                globals.put(name, new int[] {e.u32(0), e.args().getInt(8 + nameLen)});
            }
        }
        return globals;
    }

    @Test
    void aGuestWindowFromAHostBlobAppearsPixelExactWithNothingCopied() throws Exception {
        weston = new HeadlessWeston(W, H);
        guest = new CrossDomainGuest(GpuSettings.defaults("wl").withWaylandSocket(weston.socket.toString()));
        assertEquals(RESP_OK_CAPSET, guest.command(CMD_GET_CAPSET, 0, CrossDomainGuest.words(CAPSET_CROSS_DOMAIN, 0)));
        assertEquals(1 << 1, guest.queue.responseInt(0, 28),
                "supported_channels: WAYLAND, the compositor is listening");

        ChannelPeer peer = new ChannelPeer(guest, CTX, QUERY, CHANNEL);
        assertEquals(RESP_OK_NODATA, peer.initWayland());
        Wayland.Stream stream = new Wayland.Stream();
        Map<String, int[]> globals = globals(peer, stream);
        assertTrue(globals.containsKey("wl_compositor") && globals.containsKey("xdg_wm_base") && globals.containsKey("wl_shm"),
                "weston's globals: " + globals.keySet());

        // The buffer: image requirements, a HOST3D blob, mapped into the host-visible window, drawn by the guest.
        ByteBuffer req = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        req.put(0, (byte) 2).putShort(2, (short) 24).putInt(8, W).putInt(12, H).putInt(16, PixelFormat.B8G8R8X8.drmFourcc());
        assertEquals(RESP_OK_NODATA, guest.submit(CTX, req));
        ByteBuffer answer = guest.read(peer.queryAddress, 64);
        int stride = answer.getInt(0);
        long size = answer.getLong(40);
        long blobId = answer.getInt(48) & 0xffffffffL;
        assertEquals(W * 4, stride);
        assertEquals(RESP_OK_NODATA, guest.hostBlob(CTX, BUFFER, blobId, size));
        assertEquals(RESP_OK_MAP_INFO, guest.mapBlob(CTX, BUFFER, 0));
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                guest.window.guestWrite(0, (long) y * stride + 4L * x, pixel(x, y));
            }
        }

        // Bind, surface, a pool on the blob's own memory (the VIRTGPU_BLOB identifier), a toplevel.
        assertEquals(RESP_OK_NODATA, peer.send(Wayland.concat(
                Wayland.request(REGISTRY, 0, globals.get("wl_compositor")[0], "wl_compositor", 1, COMPOSITOR),
                Wayland.request(REGISTRY, 0, globals.get("wl_shm")[0], "wl_shm", 1, SHM),
                Wayland.request(REGISTRY, 0, globals.get("xdg_wm_base")[0], "xdg_wm_base", 1, WM_BASE),
                Wayland.request(COMPOSITOR, 0, SURFACE),
                Wayland.request(SHM, 0, POOL, (int) size)), BUFFER, ChannelPeer.ID_BLOB));
        assertEquals(RESP_OK_NODATA, peer.send(Wayland.concat(
                Wayland.request(POOL, 0, WL_BUFFER, 0, W, H, stride, XRGB8888),
                Wayland.request(WM_BASE, 2, XDG_SURFACE, SURFACE),
                Wayland.request(XDG_SURFACE, 1, TOPLEVEL),
                Wayland.request(SURFACE, 6))));
        List<Wayland.Event> configure = peer.eventsUntil(stream, e -> e.object() == XDG_SURFACE && e.opcode() == 0, 10_000);
        int serial = configure.get(configure.size() - 1).u32(0);
        for (Wayland.Event e : configure) {
            if (e.object() == WM_BASE && e.opcode() == 0) {
                assertEquals(RESP_OK_NODATA, peer.send(Wayland.request(WM_BASE, 3, e.u32(0))));
            }
        }
        assertEquals(RESP_OK_NODATA, peer.send(Wayland.concat(
                Wayland.request(XDG_SURFACE, 4, serial),
                Wayland.request(SURFACE, 1, WL_BUFFER, 0, 0),
                Wayland.request(SURFACE, 2, 0, 0, W, H),
                Wayland.request(SURFACE, 3, FRAME),
                Wayland.request(SURFACE, 6))));
        peer.eventsUntil(stream, e -> e.object() == FRAME && e.opcode() == 0, 10_000); // presented

        BufferedImage shot = weston.screenshot();
        assertEquals(W, shot.getWidth());
        assertEquals(H, shot.getHeight());
        int wrong = 0;
        String first = null;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if ((shot.getRGB(x, y) & 0xffffff) != pixel(x, y)) {
                    wrong++;
                    if (first == null) {
                        first = x + "," + y + ": " + Integer.toHexString(shot.getRGB(x, y) & 0xffffff) + " != " + Integer.toHexString(pixel(x, y));
                    }
                }
            }
        }
        assertEquals(0, wrong, "pixels differing from the guest's drawing, first " + first);
        assertEquals(0, guest.device.state().statsSnapshot().bytesCopied(), "the compositor read the guest's blob itself");
        String listing = guest.device.state().contexts().get(CTX);
        assertTrue(listing.contains("wayland channel " + weston.socket) && listing.contains("1 fds, from compositor"), listing);
    }

    @Test
    void aKilledCompositorHangsUpItsChannelOnly() throws Exception {
        weston = new HeadlessWeston(W, H);
        guest = new CrossDomainGuest(GpuSettings.defaults("wl").withWaylandSocket(weston.socket.toString()));
        ChannelPeer peer = new ChannelPeer(guest, CTX, QUERY, CHANNEL);
        assertEquals(RESP_OK_NODATA, peer.initWayland());
        Wayland.Stream stream = new Wayland.Stream();
        assertTrue(globals(peer, stream).containsKey("wl_compositor"));
        ChannelPeer other = new ChannelPeer(guest, OTHER_CTX, 21, 22);
        assertEquals(RESP_OK_NODATA, guest.submit(OTHER_CTX, ChannelPeer.init(21, 0, 0)), "a context without a channel");

        peer.startPoll(); // waiting for an event when the compositor dies
        weston.kill();
        ChannelPeer.Message hangUp = peer.next(10_000);
        assertEquals(ChannelPeer.CMD_RECEIVE, hangUp.cmd());
        assertEquals(0, hangUp.data().length, "hang-up: a RECEIVE with no bytes");
        assertEquals(0, hangUp.ids().length);
        assertEquals(0, peer.next(5_000).data().length, "and again for every later poll");
        assertEquals(RESP_ERR_OUT_OF_MEMORY, peer.send(Wayland.request(DISPLAY, 0, SYNC2)), "nothing more goes to a dead compositor");
        assertTrue(guest.device.state().contexts().get(CTX).contains("compositor hung up"), guest.device.state().contexts().get(CTX));

        ByteBuffer req = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        req.put(0, (byte) 2).putShort(2, (short) 24).putInt(8, 64).putInt(12, 64).putInt(16, PixelFormat.B8G8R8X8.drmFourcc());
        assertEquals(RESP_OK_NODATA, guest.submit(OTHER_CTX, req), "the other context goes on");
        assertEquals(64 * 4, guest.read(other.queryAddress, 4).getInt(0));
        assertEquals(RESP_OK_DISPLAY_INFO, guest.command(CMD_GET_DISPLAY_INFO, 0, ByteBuffer.allocate(0)), "and the device");
    }
}
