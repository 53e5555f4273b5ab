package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vgpu.itest.guest.BoundedProcess;
import org.vgpu.itest.guest.ConsoleLines;
import org.vgpu.itest.guest.GuestImage;
import org.vgpu.itest.guest.GuestSetup;
import org.vgpu.itest.guest.QemuGuest;
import org.vgpu.itest.guest.QemuGuest.Machine;
import org.vgpu.itest.guest.ServedGpu;
import org.vgpu.itest.guest.VirglBundle;

/**
 * A real guest's OpenGL through vgpu and virglrenderer: a Linux 6.12 guest under QEMU 10 (q35,
 * TCG) on vhost-user-gpu-pci, its root this machine's over 9p so that Debian's Mesa runs in it
 * (cnf/scripts/guest/gl-tests). The guest negotiates VIRGL, draws a known scene with GLES2 through
 * EGL on GBM (vgpu-glscene: the known image as a texture, a triangle over it), reads it back with
 * glReadPixels and scans it out by KMS: vgpu's screenshot and QEMU's screendump equal that
 * readback pixel for pixel. Then unmodified programs: eglinfo's GBM platform runs Mesa's
 * virtio_gpu driver, kmscube renders its frames and glmark2-es2-drm a fixed run without a GL error.
 */
class VirglGuestIT {
    static final String DEVICE = "gpuGL";
    static final Duration BOOT = Duration.ofSeconds(240);
    static final Duration PROGRAMS = Duration.ofSeconds(600);
    static Path dir;
    static Path socket;
    static ServedGpu served;
    static BundleContext context;

    @BeforeAll
    static void configure() throws Exception {
        context = FrameworkUtil.getBundle(VirglGuestIT.class).getBundleContext();
        VirglBundle.start(context);
        assertTrue(VirglBundle.awaitTypes(context, 2), "VIRGL and VIRGL2 (virglrenderer on llvmpipe)");
        dir = Files.createTempDirectory("vgpu-gl");
        socket = dir.resolve("gpu.sock");
        ConfigurationAdmin cm = context.getService(context.getServiceReference(ConfigurationAdmin.class));
        // glmark2 takes the largest mode of QEMU's EDID, 5120x2160, whatever it is asked: its surface,
        // depth buffer and off-screen target are ~300 MiB of 3D resources, above the default 256.
        served = ServedGpu.create(cm, "gl", DEVICE, socket, Map.of("host.memory.quota.mib", 1024));
    }

    @AfterAll
    static void unconfigure() throws Exception {
        if (served != null) {
            served.delete();
        }
    }

    @Test
    void aGuestsOpenGlRendersThroughVgpuPixelExactAndUnmodifiedProgramsRun() throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        buildScene(results);
        Files.copy(GuestSetup.root().resolve("cnf/scripts/guest/gl-tests"), results.resolve("hostvm.cmd"));
        CommandProcessor shell = context.getService(context.getServiceReference(CommandProcessor.class));
        try (QemuGuest guest = new QemuGuest(Machine.Q35, socket, dir.resolve("guest"), "").hostRoot(results)) {
            String done = guest.bootUntil(Pattern.compile("^VGPU-GLSCENE-DONE \\d+x\\d+$"), BOOT);
            List<String> lines = ConsoleLines.complete(guest.serial());
            assertTrue(line(lines, "VGPU-GL-FEATURES").contains("+virgl"), "the guest negotiated VIRGL: " + lines);
            assertTrue(line(lines, "VGPU-GL-RENDERER").contains("virgl"), "Mesa's virgl driver, not a software fallback: " + lines);
            String[] size = done.substring(done.lastIndexOf(' ') + 1).split("x");
            int w = Integer.parseInt(size[0]), h = Integer.parseInt(size[1]);
            int[] readback = readback(results.resolve("readback.rgba"), w, h);

            // The scanout's pixels: vgpu's readback from virglrenderer, and what it sent QEMU's console.
            assertEquals(0, awaitEqual(() -> vgpuScreen(shell, w, h), readback), "vgpu's screenshot vs the guest's glReadPixels");
            QemuGuest.Screen qemu = guest.screendump(dir.resolve("qemu.png"));
            assertEquals(w + "x" + h, qemu.width() + "x" + qemu.height());
            assertEquals(0, differing(qemu.rgb(), readback), "QEMU's screendump vs the guest's glReadPixels");
            // The scene itself: below the triangle the texture (uploaded through virglrenderer's staging
            // transfers from guest pages) is the known image exactly; inside it, the triangle.
            for (int y = h * 2 / 3; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    assertEquals(GuestImage.pixel(x, y, w, h), readback[y * w + x], "textured pixel " + x + "," + y);
                }
            }
            int cx = w * 2 / 10, cy = h * 3 / 10; // inside the triangle
            assertNotEquals(GuestImage.pixel(cx, cy, w, h), readback[cy * w + cx], "the triangle is drawn over the texture");

            Files.writeString(results.resolve("release"), "");
            guest.waitForSerial(ConsoleLines.literal("VGPU-GL-TESTS-DONE"), PROGRAMS);
            lines = ConsoleLines.complete(guest.serial());
            String egl = line(lines, "VGPU-EGLINFO");
            assertTrue(egl.contains("virtio_gpu"), "eglinfo's GBM platform runs Mesa's virgl driver: " + egl);
            String kmscube = line(lines, "VGPU-KMSCUBE");
            Matcher frames = Pattern.compile("rc=0 gl-errors=0 Rendered (\\d+) frames in ([0-9.]+) sec \\(([0-9.]+) fps\\)").matcher(kmscube);
            assertTrue(frames.find(), "kmscube ran its frames without a GL error: " + kmscube + "\n" + log(results, "kmscube.log"));
            assertTrue(Integer.parseInt(frames.group(1)) >= 100, kmscube);
            String glmark = line(lines, "VGPU-GLMARK");
            Matcher score = Pattern.compile("rc=0 gl-errors=0 score=(\\d+) renderer=(.*)").matcher(glmark);
            assertTrue(score.find() && Integer.parseInt(score.group(1)) > 0 && score.group(2).contains("virgl"),
                    "glmark2 completed its run on virgl: " + glmark + "\n" + log(results, "glmark2.log"));
            System.out.println("FACT virgl-guest kmscube-fps = " + frames.group(3) + " (" + frames.group(1) + " frames, TCG guest)");
            System.out.println("FACT virgl-guest glmark2-score = " + score.group(1) + " (--off-screen build, texture, shading; 2 s each)");

            String stats = ShellIT.run(shell, "vgpu:stats " + DEVICE);
            for (String l : stats.lines().filter(l -> l.startsWith("ERR_")).toList()) {
                assertTrue(l.trim().endsWith(" 0"), "no error response to the guest's 3D commands: " + stats);
            }
            assertTrue(stats.lines().anyMatch(l -> l.matches("SUBMIT_3D\\s+[1-9]\\d*")), stats);
        }
    }

    /** vgpu-glscene, built here against this machine's Mesa (the guest runs this machine's root). */
    private static void buildScene(Path results) throws Exception {
        Path guestDir = GuestSetup.root().resolve("cnf/scripts/guest");
        BoundedProcess gcc = BoundedProcess.run(new ProcessBuilder("gcc", "-O2", "-I/usr/include/libdrm", "-o",
                results.resolve("vgpu-glscene").toString(), guestDir.resolve("vgpu-glscene.c").toString(), "-lEGL", "-lGLESv2", "-lgbm",
                "-ldrm"), Duration.ofMinutes(2));
        assertEquals(0, gcc.status(), "gcc vgpu-glscene:\n" + gcc.output());
    }

    /** glReadPixels' RGBA rows, bottom row first, as 0xRRGGBB top-down (as a screen is read). */
    private static int[] readback(Path file, int w, int h) throws Exception {
        byte[] b = Files.readAllBytes(file);
        assertEquals((long) w * h * 4, b.length, "readback size");
        int[] rgb = new int[w * h];
        for (int y = 0; y < h; y++) {
            int row = (h - 1 - y) * w * 4;
            for (int x = 0; x < w; x++) {
                int i = row + x * 4;
                rgb[y * w + x] = (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff);
            }
        }
        return rgb;
    }

    private static int[] vgpuScreen(CommandProcessor shell, int w, int h) throws Exception {
        Path png = dir.resolve("vgpu.png");
        Files.deleteIfExists(png);
        ShellIT.run(shell, "vgpu:screenshot " + DEVICE + " 0 " + png);
        if (!Files.exists(png)) {
            return new int[0];
        }
        BufferedImage img = ImageIO.read(png.toFile());
        return img.getWidth() == w && img.getHeight() == h ? img.getRGB(0, 0, w, h, null, 0, w) : new int[0];
    }

    interface Screen {
        int[] take() throws Exception;
    }

    /** The guest's page flip reaches the scanout asynchronously: the pixels differing after at most 20 s (0 = equal). */
    private static long awaitEqual(Screen screen, int[] expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long bad;
        do {
            bad = differing(screen.take(), expected);
            if (bad == 0) {
                return 0;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        return bad;
    }

    private static long differing(int[] rgb, int[] expected) {
        if (rgb.length != expected.length) {
            return -1;
        }
        long bad = 0;
        for (int i = 0; i < rgb.length; i++) {
            if ((rgb[i] & 0xffffff) != expected[i]) {
                bad++;
            }
        }
        return bad;
    }

    private static String line(List<String> lines, String marker) {
        return lines.stream().filter(l -> l.startsWith(marker + " ") || l.equals(marker)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + marker + " line: " + lines));
    }

    private static String log(Path results, String name) throws Exception {
        Path p = results.resolve(name);
        return Files.exists(p) ? Files.readString(p) : "(no " + name + ")";
    }
}
