package org.vgpu.itest.guest;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * The host compositor of the Wayland tests: Debian's weston with its X11 back end on an Xvfb
 * server (xvfb-run), the pixman renderer and kiosk-shell (one toplevel, full screen at 0,0). Not
 * the headless back end: that one has no seat, so no keyboard, no keymap and no clipboard; the X11
 * back end gives weston a keyboard of its own. Its own 0700 runtime directory; --debug exposes the
 * screenshooter. The set-up installs weston and Xvfb (cnf/scripts/install-guest-deps).
 */
public final class HostCompositor implements AutoCloseable {
    public static final String SOCKET_NAME = "wl-host";
    private final Path dir;
    private final Process process;

    private HostCompositor(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts weston with a width x height output; waits (at most 30 s) for its socket. */
    public static HostCompositor start(Path parent, int width, int height) throws IOException, InterruptedException {
        for (String tool : List.of("/usr/bin/weston", "/usr/bin/weston-screenshooter", "/usr/bin/xvfb-run")) {
            if (!new File(tool).canExecute()) {
                throw new IllegalStateException(tool + " is missing: cnf/scripts/install-guest-deps installs it");
            }
        }
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "weston", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ProcessBuilder pb = new ProcessBuilder("xvfb-run", "-a", "-s", "-screen 0 " + (width + 64) + "x" + (height + 64) + "x24",
                "weston", "--backend=x11-backend.so", "--use-pixman", "--debug", "--idle-time=0", "--shell=kiosk-shell.so",
                "--socket=" + SOCKET_NAME, "--width=" + width, "--height=" + height);
        environment(pb, dir);
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("weston.log").toFile()).directory(dir.toFile());
        HostCompositor c = new HostCompositor(dir, pb.start());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(c.socket())) {
            if (!c.process.isAlive() || System.nanoTime() > deadline) {
                String log = c.log();
                c.close();
                throw new IllegalStateException("weston did not open its socket within 30 s: " + log);
            }
            Thread.sleep(20);
        }
        return c;
    }

    private static void environment(ProcessBuilder pb, Path dir) {
        pb.environment().put("XDG_RUNTIME_DIR", dir.toString());
        pb.environment().remove("DISPLAY");
    }

    public Path socket() {
        return dir.resolve(SOCKET_NAME);
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("weston.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A host Wayland client connected to this compositor (its output to a file of the compositor's directory). */
    public ProcessBuilder client(String name, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        environment(pb, dir);
        pb.environment().put("WAYLAND_DISPLAY", SOCKET_NAME);
        return pb;
    }

    public String clientLog(String name) throws IOException {
        Path p = dir.resolve(name + ".log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /** weston-screenshooter's PNG of the output (at most 20 s). */
    public BufferedImage screenshot() throws Exception {
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("wayland-screenshot")).toList()) {
                Files.delete(p);
            }
        }
        BoundedProcess shot = BoundedProcess.run(client("screenshooter", "weston-screenshooter"), Duration.ofSeconds(20));
        try (Stream<Path> shots = Files.list(dir)) {
            List<Path> png = shots.filter(p -> p.getFileName().toString().startsWith("wayland-screenshot")).toList();
            if (shot.timedOut() || png.size() != 1) {
                throw new IllegalStateException("no screenshot (" + shot + "): " + clientLog("screenshooter"));
            }
            return ImageIO.read(png.get(0).toFile());
        }
    }

    /** SIGKILL to weston itself (not xvfb-run): the compositor dies under its clients. */
    public void killCompositor() throws InterruptedException {
        List<ProcessHandle> weston = new ArrayList<>(process.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/weston")).orElse(false)).toList());
        if (weston.isEmpty()) {
            throw new IllegalStateException("no weston process under " + process.pid());
        }
        weston.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : weston) {
            p.onExit().join();
        }
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        for (ProcessHandle p : tree) {
            p.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> {
                p.destroyForcibly();
                return p;
            }).join();
        }
        process.waitFor();
    }
}
