package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgpu.gpu.png.PngSink;
import org.vgpu.gpu.png.Screenshot;

/** The PNG of a scanout decodes to exactly the pixels the guest transferred. */
class ScreenshotTest {
    @TempDir
    Path dir;

    private static int color(int x, int y) {
        return (x * 7 & 0xff) << 16 | (y * 13 & 0xff) << 8 | (x ^ y) & 0xff;
    }

    /** Resource 1 is 120x90 X8B8G8R8 (bytes X,B,G,R); the scanout shows its 100x60 rect at (10, 20). */
    private GpuHarness guestDrawing(PngSink sink) {
        GpuHarness g = new GpuHarness();
        if (sink != null) {
            g.state.addSink(sink);
        }
        long[] pages = g.createWithBacking(1, FORMAT_X8B8G8R8, 120, 90);
        for (int y = 0; y < 90; y++) {
            for (int x = 0; x < 120; x++) {
                int c = color(x, y);
                long o = (y * 120L + x) * 4;
                g.putBacking(pages, o, (byte) 0x5a);          // X: ignored
                g.putBacking(pages, o + 1, (byte) c);         // B
                g.putBacking(pages, o + 2, (byte) (c >> 8));  // G
                g.putBacking(pages, o + 3, (byte) (c >> 16)); // R
            }
        }
        assertEquals(RESP_OK_NODATA, g.setScanout(0, 1, 10, 20, 100, 60));
        assertEquals(RESP_OK_NODATA, g.transfer(1, 0, 0, 120, 90, 0));
        assertEquals(RESP_OK_NODATA, g.flush(1, 0, 0, 120, 90));
        return g;
    }

    private static void assertShowsRect(BufferedImage img) {
        assertEquals(100, img.getWidth());
        assertEquals(60, img.getHeight());
        for (int y = 0; y < 60; y++) {
            for (int x = 0; x < 100; x++) {
                assertEquals(0xff000000 | color(x + 10, y + 20), img.getRGB(x, y), x + "," + y);
            }
        }
    }

    @Test
    void screenshotDecodesToGuestPixels() throws Exception {
        GpuHarness g = guestDrawing(null);
        Path file = dir.resolve("shot.png");
        assertNotNull(Screenshot.write(g.state, 0, false, file));
        assertShowsRect(ImageIO.read(file.toFile()));
    }

    @Test
    void sinkAddedAfterTheGuestDrewIsGivenWhatTheScanoutShows() throws Exception {
        GpuHarness g = guestDrawing(null);
        PngSink late = new PngSink();
        g.state.addSink(late);
        Path file = dir.resolve("late.png");
        assertTrue(late.write(g.state.deviceName(), 0, file));
        assertShowsRect(ImageIO.read(file.toFile()));
    }

    @Test
    void disabledScanoutWritesNothing() throws Exception {
        GpuHarness g = new GpuHarness();
        Path file = dir.resolve("none.png");
        assertNull(Screenshot.write(g.state, 0, false, file));
        assertFalse(Files.exists(file));
    }

    @Test
    void cursorIsBlendedWhenAsked() throws Exception {
        GpuHarness g = guestDrawing(null);
        long[] pages = g.createWithBacking(2, FORMAT_B8G8R8A8, 64, 64);
        for (int i = 0; i < 4 * 64; i += 4) { // first row: 64 opaque white pixels, the rest transparent
            g.putBacking(pages, i, (byte) 0xff);
            g.putBacking(pages, i + 1, (byte) 0xff);
            g.putBacking(pages, i + 2, (byte) 0xff);
            g.putBacking(pages, i + 3, (byte) 0xff);
        }
        g.transfer(2, 0, 0, 64, 64, 0);
        assertEquals(RESP_OK_NODATA, g.cmd(CMD_UPDATE_CURSOR, 0, 30, 40, 0, 2, 2, 0, 0));
        Path with = dir.resolve("cursor.png");
        Screenshot.write(g.state, 0, true, with);
        BufferedImage img = ImageIO.read(with.toFile());
        assertEquals(0xffffffff, img.getRGB(28, 40), "hot spot (2, 0) puts the image at x 28");
        assertEquals(0xffffffff, img.getRGB(91, 40));
        assertEquals(0xff000000 | color(28 + 10, 41 + 20), img.getRGB(28, 41), "transparent cursor rows");
        assertEquals(0xff000000 | color(27 + 10, 40 + 20), img.getRGB(27, 40));
        Path without = dir.resolve("plain.png");
        Screenshot.write(g.state, 0, false, without);
        assertShowsRect(ImageIO.read(without.toFile()));
    }

    @Test
    void pngSinkBuildsFrameFromDamage() throws Exception {
        PngSink sink = new PngSink();
        guestDrawing(sink);
        Path file = dir.resolve("sink.png");
        assertTrue(sink.write("gpu-test", 0, file));
        assertShowsRect(ImageIO.read(file.toFile()));
    }
}
