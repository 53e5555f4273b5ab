package org.vgpu.itest.hostvm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real VNC client as a person runs it, headless: Xvfb, TigerVNC's vncviewer connected to a vgpu
 * VNC server, and xdotool to type and click into the viewer's desktop window. Every X tool runs
 * bounded (30 s) and fails with its output; close() ends what it started.
 */
final class XViewer implements AutoCloseable {
    private static final long TOOL_SECONDS = 30;
    /** The viewer's start and first frame inside the TCG host VM (libraries over 9p) take long. */
    private static final long VIEWER_SECONDS = 120;
    private final Path dir;
    private final List<Process> started = new ArrayList<>();
    private String display;
    private String window;

    XViewer(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts Xvfb with a screen larger than the guest's scanout (the viewer shows it 1:1, no
     * scrolling), then the viewer on 127.0.0.1:port; returns once its desktop window, titled by the
     * server's desktop name ("vgpu DEVICE scanout 0"), is mapped and focused.
     */
    void start(int port, String device) throws Exception {
        // -displayfd: Xvfb picks a free display and writes its number once it accepts connections.
        Process xvfb = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1920x1200x24", "-nolisten", "tcp")
                .redirectError(dir.resolve("xvfb.log").toFile()).start();
        started.add(xvfb);
        BufferedReader r = new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII));
        String line = r.readLine(); // ends when Xvfb writes its display or exits
        ScenarioSupport.check(line != null && line.matches("\\d+"), "Xvfb reports its display: " + Files.readString(dir.resolve("xvfb.log")));
        display = ":" + line;
        start("vncviewer", "xtigervncviewer", "-Shared", "-PreferredEncoding=ZRLE", "127.0.0.1::" + port);
        window = run("xdotool-search", VIEWER_SECONDS, "xdotool", "search", "--sync", "--onlyvisible", "--name", "vgpu " + device)
                .lines().reduce((a, b) -> b).orElseThrow();
        run("xdotool-focus", "xdotool", "windowfocus", "--sync", window);
    }

    /** The desktop window's size as the X server has it ("WIDTHxHEIGHT"). */
    String windowSize() throws Exception {
        String geometry = run("xdotool-geometry", "xdotool", "getwindowgeometry", "--shell", window);
        String w = geometry.lines().filter(l -> l.startsWith("WIDTH=")).findFirst().orElse("WIDTH=?").substring(6);
        String h = geometry.lines().filter(l -> l.startsWith("HEIGHT=")).findFirst().orElse("HEIGHT=?").substring(7);
        return w + "x" + h;
    }

    /** Presses and releases each X key name (xdotool's names: a, 1, Return) into the viewer. */
    void keys(String... names) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("xdotool", "key", "--window", window, "--delay", "50"));
        cmd.addAll(List.of(names));
        run("xdotool-key", cmd.toArray(String[]::new));
    }

    /** Moves the pointer to (x, y) of the desktop window (its origin, wherever it is on the screen) and clicks the left button. */
    void clickAt(int x, int y) throws Exception {
        run("xdotool-click", "xdotool", "mousemove", "--window", window, String.valueOf(x), String.valueOf(y), "click", "1");
    }

    private Process start(String name, String... command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        b.environment().put("DISPLAY", display);
        Process p = b.start();
        started.add(p);
        return p;
    }

    private String run(String name, String... command) throws Exception {
        return run(name, TOOL_SECONDS, command);
    }

    private String run(String name, long seconds, String... command) throws Exception {
        Process p = start(name, command);
        String what = String.join(" ", command);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not finish in " + seconds + " s: " + log(name) + "; vncviewer: " + log("vncviewer") + "; Xvfb: " + log("xvfb"));
        }
        started.remove(p);
        ScenarioSupport.check(p.exitValue() == 0, what + " exits 0: " + log(name) + "; vncviewer: " + log("vncviewer"));
        return log(name).trim();
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (Exception e) {
            return "(no " + name + " log)";
        }
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) { // viewer before Xvfb
            Process p = started.get(i);
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
