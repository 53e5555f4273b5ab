package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.apache.felix.service.command.CommandProcessor;
import org.vgpu.itest.guest.ConsoleLines;
import org.vgpu.itest.guest.GuestImage;

/** vgpu's own screenshot of a device's scanout 0 (vgpu:screenshot), compared with the guest's known image. */
final class VgpuScreens {
    private VgpuScreens() {
    }

    /** Pixels of the screenshot (written to png) that differ from the known image; -1 if its size is another. */
    static long knownImageMismatches(CommandProcessor shell, String device, ConsoleLines.ImageDone image, Path png) throws Exception {
        String out = ShellIT.run(shell, "vgpu:screenshot " + device + " 0 " + png);
        assertTrue(Files.exists(png), out);
        BufferedImage img = ImageIO.read(png.toFile());
        if (img.getWidth() != image.width() || img.getHeight() != image.height()) {
            return -1;
        }
        return GuestImage.mismatches(img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth()),
                image.width(), image.height(), image.inverted());
    }

    /** Waits (the guest flushes asynchronously, at most 20 s) until the screenshot is the known image; the last mismatch count. */
    static long awaitKnownImage(CommandProcessor shell, String device, ConsoleLines.ImageDone image, Path png) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        long bad;
        do {
            bad = knownImageMismatches(shell, device, image, png);
            if (bad == 0) {
                break;
            }
            Thread.sleep(250);
        } while (System.currentTimeMillis() < deadline);
        return bad;
    }
}
