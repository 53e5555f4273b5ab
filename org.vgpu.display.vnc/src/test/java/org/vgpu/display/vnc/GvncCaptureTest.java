package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgpu.gpu.Frame;

/**
 * Through a VNC client nobody here wrote: gtk-vnc's gvnccapture connects, takes one full update
 * and saves it as PNG. What it saved must be vgpu's screenshot of the scanout, pixel for pixel, with
 * each encoding the server may use; and after a mode change it must see the new size and image.
 */
class GvncCaptureTest {
    @TempDir
    Path dir;

    private static VncSettings settings(String... encodings) {
        return VncSettings.of("127.0.0.1:0", GuestScreen.DEVICE, 0, "", 4, 1 << 20, encodings);
    }

    private static void assertSame(Frame expected, Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(expected.width() + "x" + expected.height(), img.getWidth() + "x" + img.getHeight(), "captured size");
        int mismatches = 0;
        String first = null;
        for (int y = 0; y < expected.height(); y++) {
            for (int x = 0; x < expected.width(); x++) {
                int want = expected.argb()[y * expected.width() + x] & 0xffffff;
                int got = img.getRGB(x, y) & 0xffffff;
                if (want != got) {
                    mismatches++;
                    if (first == null) {
                        first = String.format("(%d,%d) want %06x got %06x", x, y, want, got);
                    }
                }
            }
        }
        assertEquals(0, mismatches, "pixels differing from vgpu's screenshot, first " + first);
    }

    private void capturesExactly(String encoding) throws Exception {
        GuestScreen screen = new GuestScreen().show(333, 217, 5); // odd sizes: partial ZRLE tiles and 16-px damage tiles
        try (VncServer server = RealClients.serverOnFreeDisplay(settings(encoding), new InputRouter())) {
            screen.gpu.state.addSink(server);
            screen.redraw(40, 30, 100, 50, 9); // a partial redraw reaches the server's copy too
            assertSame(screen.screenshot(), RealClients.gvnccapture(server, dir, encoding));
            VncClient gvnc = server.lastClosed();
            System.out.println("gvnccapture: " + gvnc.describe());
            assertEquals(encoding, gvnc.encodingInUse(), "the encoding the server sent gvnccapture's pixels in");
        }
    }

    @Test
    void rawCaptureIsPixelExact() throws Exception {
        capturesExactly("raw");
    }

    @Test
    void zrleCaptureIsPixelExact() throws Exception {
        capturesExactly("zrle");
    }

    @Test
    void modeChangeIsSeenAtTheNewSize() throws Exception {
        GuestScreen screen = new GuestScreen().show(320, 200, 1);
        try (VncServer server = RealClients.serverOnFreeDisplay(settings("zrle", "raw"), new InputRouter())) {
            screen.gpu.state.addSink(server);
            assertSame(screen.screenshot(), RealClients.gvnccapture(server, dir, "before"));
            screen.show(800, 600, 2);
            assertSame(screen.screenshot(), RealClients.gvnccapture(server, dir, "after"));
        }
    }
}
