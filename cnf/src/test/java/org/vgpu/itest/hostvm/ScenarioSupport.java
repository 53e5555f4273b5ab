package org.vgpu.itest.hostvm;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.vgpu.core.shell.ControlClient;
import org.vgpu.itest.guest.GuestImage;

/** What the host-VM scenarios share: checks, FACT lines for their IT, and vgpu's screen against the known image. */
final class ScenarioSupport {

    private ScenarioSupport() {
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** A figure or table for the IT and the log: "FACT key = value", or "FACT key:" and "  | " lines. */
    static void fact(String key, Object value) {
        String v = String.valueOf(value).strip();
        if (v.contains("\n")) {
            System.out.println("FACT " + key + ":");
            v.lines().forEach(l -> System.out.println("  | " + l));
        } else {
            System.out.println("FACT " + key + " = " + v);
        }
    }

    /** A command line run in the vgpu behind the control socket; its output, or a failed check. */
    static String shell(Path control, String command) throws Exception {
        ControlClient.Reply r = ControlClient.run(control, command);
        check(r.status() == 0, command + " failed: " + r.error() + "\n" + r.output());
        return r.output();
    }

    /** vgpu:screenshot of the device's scanout 0 to png, compared with the guest's known image: pixels that differ. */
    static long screenMismatches(Path control, String device, Path png) throws Exception {
        Files.deleteIfExists(png);
        shell(control, "vgpu:screenshot " + device + " 0 " + png);
        BufferedImage img = ImageIO.read(png.toFile());
        int[] rgb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        return GuestImage.mismatches(rgb, img.getWidth(), img.getHeight());
    }
}
