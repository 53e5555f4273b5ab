package org.vgpu.backend.hostmem;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * Debian's weston 10, headless with the pixman renderer and kiosk-shell (one toplevel, full
 * screen at 0,0: placement is predictable), in its own 0700 runtime directory; ended by its pid.
 * The project's set-up installs weston (cnf/scripts/install-guest-deps).
 */
final class HeadlessWeston implements AutoCloseable {
    final Path dir;
    final Path socket;
    final Process process;
    final int width, height;

    HeadlessWeston(int width, int height) throws Exception {
        assertTrue(new File("/usr/bin/weston").canExecute() && new File("/usr/bin/weston-screenshooter").canExecute(),
                "weston is missing: cnf/scripts/install-guest-deps installs it");
        this.width = width;
        this.height = height;
        dir = Files.createTempDirectory("vgpu-weston", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        socket = dir.resolve("wl-test");
        ProcessBuilder pb = new ProcessBuilder("weston", "--backend=headless-backend.so", "--use-pixman", "--debug", "--idle-time=0",
                "--shell=kiosk-shell.so", "--socket=wl-test", "--width=" + width, "--height=" + height);
        pb.environment().put("XDG_RUNTIME_DIR", dir.toString());
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.environment().remove("DISPLAY");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("weston.log").toFile()).directory(dir.toFile());
        process = pb.start();
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!Files.exists(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                fail("weston did not open its socket within 15 s: " + log());
            }
            Thread.sleep(20);
        }
    }

    String log() {
        try {
            return Files.readString(dir.resolve("weston.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** weston-screenshooter's PNG of the output (bounded wait). */
    BufferedImage screenshot() throws Exception {
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("wayland-screenshot")).toList()) {
                Files.delete(p);
            }
        }
        ProcessBuilder pb = new ProcessBuilder("weston-screenshooter").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("screenshooter.log").toFile());
        pb.environment().put("XDG_RUNTIME_DIR", dir.toString());
        pb.environment().put("WAYLAND_DISPLAY", "wl-test");
        Process shooter = pb.start();
        if (!shooter.waitFor(20, TimeUnit.SECONDS)) {
            shooter.destroyForcibly();
            fail("weston-screenshooter did not finish within 20 s");
        }
        try (Stream<Path> shots = Files.list(dir)) {
            List<Path> png = shots.filter(p -> p.getFileName().toString().startsWith("wayland-screenshot")).toList();
            assertTrue(png.size() == 1, "one screenshot: " + png + " " + Files.readString(dir.resolve("screenshooter.log")));
            return ImageIO.read(png.get(0).toFile());
        }
    }

    /** Ends the compositor abruptly (as a crash would), and what it started. */
    void kill() throws Exception {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "weston did not end");
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
