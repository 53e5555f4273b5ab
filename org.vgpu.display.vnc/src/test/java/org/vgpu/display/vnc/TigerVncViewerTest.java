package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TigerVNC's vncviewer (a second client nobody here wrote) under Xvfb: it opens a window the size of
 * the scanout, and when the guest changes mode the DesktopSize pseudo-encoding makes it resize the
 * window, live, on the same connection.
 */
class TigerVncViewerTest {
    @TempDir
    Path dir;
    final List<Process> processes = new ArrayList<>();
    String xDisplay;

    @AfterEach
    void stop() throws Exception {
        java.util.Collections.reverse(processes); // the viewer before the X server
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private Process start(String name, String... command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        if (xDisplay != null) {
            b.environment().put("DISPLAY", xDisplay);
        }
        Process p = b.start();
        processes.add(p);
        return p;
    }

    private String run(String name, String... command) throws Exception {
        Process p = start(name, command);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 30 s");
        }
        String out = Files.readString(dir.resolve(name + ".log"));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out.trim();
    }

    private void startXvfb() throws Exception {
        Process x = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
                .redirectError(dir.resolve("xvfb.log").toFile()).start();
        processes.add(x);
        String line = new BufferedReader(new InputStreamReader(x.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        assertTrue(line != null && line.matches("\\d+"), "Xvfb did not report a display: " + Files.readString(dir.resolve("xvfb.log")));
        xDisplay = ":" + line;
    }

    private String geometry(String window) throws Exception {
        String out = run("geometry", "xdotool", "getwindowgeometry", window);
        return out.lines().filter(l -> l.contains("Geometry:")).findFirst().orElseThrow().replaceAll(".*Geometry: *", "");
    }

    @Test
    void viewerWindowFollowsTheGuestsModeChange() throws Exception {
        GuestScreen screen = new GuestScreen().show(320, 200, 1);
        try (VncServer server = new VncServer(VncSettings.of("127.0.0.1:0", GuestScreen.DEVICE, 0, "", 4, 1 << 20,
                new String[] {"zrle", "raw"}), new InputRouter())) {
            screen.gpu.state.addSink(server);
            startXvfb();
            start("vncviewer", "xtigervncviewer", "-Shared", "-PreferredEncoding=ZRLE",
                    "127.0.0.1::" + RawRfbClient.tcp(server).getPort());
            String window = run("search", "xdotool", "search", "--sync", "--onlyvisible", "--name", "vgpu " + GuestScreen.DEVICE)
                    .lines().reduce((a, b) -> b).orElseThrow();
            assertEquals("320x200", geometry(window));
            screen.show(800, 600, 2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String g;
            while (!(g = geometry(window)).equals("800x600")) {
                if (System.nanoTime() > deadline) {
                    fail("vncviewer's window is " + g + ", not 800x600, 20 s after the mode change");
                }
                Thread.sleep(100);
            }
            VncClient viewer = server.clients().get(0);
            assertTrue(viewer.describe().contains(" 800x600 zrle ") && viewer.describe().contains("desktop-size"), viewer.describe());
            System.out.println("vncviewer: " + viewer.describe());
        }
    }
}
