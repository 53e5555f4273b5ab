package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.vgpu.input.spi.InputTarget;

/**
 * The VNC server of the assembled platform (a factory configuration of org.vgpu.vnc for gpu0) with
 * a real client: TigerVNC's vncviewer under Xvfb, driven by xdotool as a user would type and click.
 * An InputTarget registered here as a service, for gpu0's display, must receive the evdev codes of
 * the typed keys and the clicked position on the 640x480 screen (gpu0 shows nothing: QEMU's size).
 * With a password, vncviewer authenticates from a password file made by TigerVNC's vncpasswd.
 */
class VncIT {
    static final String DISPLAY_DEVICE = "gpu0";
    static BundleContext context;
    static ConfigurationAdmin cm;
    static Process xvfb;
    static String xDisplay;
    static Path dir;

    @InjectService(timeout = 5000)
    CommandProcessor processor;

    final List<Process> processes = new ArrayList<>();
    Configuration vnc;
    ServiceRegistration<InputTarget> inputRegistration;

    /** Records what the VNC clients sent to the guest's input devices. */
    static final class RecordingInput implements InputTarget {
        final List<String> events = new ArrayList<>();

        @Override
        public String name() {
            return "itest-input";
        }

        @Override
        public Kind kind() {
            return Kind.KEYBOARD;
        }

        @Override
        public String display() {
            return DISPLAY_DEVICE;
        }

        @Override
        public synchronized void key(int code, boolean pressed) {
            events.add("key " + code + (pressed ? " down" : " up"));
            notifyAll();
        }

        @Override
        public synchronized void button(int code, boolean pressed) {
            events.add("button 0x" + Integer.toHexString(code) + (pressed ? " down" : " up"));
            notifyAll();
        }

        @Override
        public synchronized void pointer(int x, int y, int width, int height) {
            events.add("pointer " + x + " " + y + " " + width + " " + height);
            notifyAll();
        }

        @Override
        public synchronized void wheel(int steps) {
            events.add("wheel " + steps);
            notifyAll();
        }

        /** Bounded wait until the events contain all wanted ones, in order (others may come between). */
        synchronized void awaitInOrder(List<String> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!containsInOrder(events, wanted)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("expected in order " + wanted + " within 30 s, got " + events);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        private static boolean containsInOrder(List<String> got, List<String> wanted) {
            int i = 0;
            for (String e : got) {
                if (i < wanted.size() && e.equals(wanted.get(i))) {
                    i++;
                }
            }
            return i == wanted.size();
        }
    }

    @BeforeAll
    static void startX() throws Exception {
        context = FrameworkUtil.getBundle(VncIT.class).getBundleContext();
        cm = context.getService(context.getServiceReference(ConfigurationAdmin.class));
        dir = Files.createTempDirectory("vgpu-vncit");
        // -displayfd: Xvfb picks a free display and writes its number once it accepts connections.
        xvfb = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp")
                .redirectError(dir.resolve("xvfb.log").toFile()).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII));
        String line = r.readLine();
        assertTrue(line != null && line.matches("\\d+"), "Xvfb did not report a display: " + Files.readString(dir.resolve("xvfb.log")));
        xDisplay = ":" + line;
    }

    @AfterAll
    static void stopX() {
        if (xvfb != null) {
            xvfb.destroy();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (inputRegistration != null) {
            inputRegistration.unregister();
        }
        if (vnc != null) {
            vnc.delete();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Configures a VNC server for gpu0 and waits (10 s) until vgpu:displays lists it. */
    private int startServer(String name, String password) throws Exception {
        int port = freePort();
        vnc = cm.getFactoryConfiguration("org.vgpu.vnc", name, "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("listen", "127.0.0.1:" + port);
        p.put("device.name", DISPLAY_DEVICE);
        p.put("password", password);
        vnc.update(p);
        awaitDisplays("vnc 127.0.0.1:" + port + " " + DISPLAY_DEVICE);
        return port;
    }

    private String awaitDisplays(String wanted) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        String out;
        while (!(out = ShellIT.run(processor, "vgpu:displays")).contains(wanted)) {
            if (System.currentTimeMillis() > deadline) {
                fail("vgpu:displays does not show '" + wanted + "' after 10 s:\n" + out);
            }
            Thread.sleep(50);
        }
        return out;
    }

    private Process start(String name, String... command) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        b.environment().put("DISPLAY", xDisplay);
        Process p = b.start();
        processes.add(p);
        return p;
    }

    /** Runs a short X tool to its end (bounded) and returns its output. */
    private String run(String name, String... command) throws Exception {
        Process p = start(name, command);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 30 s: " + Files.readString(dir.resolve(name + ".log")));
        }
        String out = Files.readString(dir.resolve(name + ".log"));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out.trim();
    }

    /** Starts vncviewer and returns the X window id of its desktop window once mapped. */
    private String viewer(int port, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("xtigervncviewer", "-Shared", "-PreferredEncoding=ZRLE"));
        cmd.addAll(List.of(options));
        cmd.add("127.0.0.1::" + port);
        start("vncviewer", cmd.toArray(String[]::new));
        // The desktop window's title is the server's desktop name ("vgpu gpu0 scanout 0 - TigerVNC").
        String ids = run("xdotool-search", "xdotool", "search", "--sync", "--onlyvisible", "--name", "vgpu " + DISPLAY_DEVICE);
        return ids.lines().reduce((a, b) -> b).orElseThrow();
    }

    private RecordingInput registerInput() {
        RecordingInput input = new RecordingInput();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(InputTarget.PROP_NAME, input.name());
        props.put(InputTarget.PROP_DISPLAY, DISPLAY_DEVICE);
        props.put(InputTarget.PROP_KIND, input.kind().name());
        inputRegistration = context.registerService(InputTarget.class, input, props);
        return input;
    }

    @Test
    void typedKeysAndClicksReachTheGuestsInputDevice() throws Exception {
        RecordingInput input = registerInput();
        int port = startServer("vncit-input", "");
        awaitDisplays("input itest-input (KEYBOARD)");
        String window = viewer(port);
        awaitDisplays("client 127.0.0.1");
        run("xdotool-focus", "xdotool", "windowfocus", "--sync", window);
        run("xdotool-type", "xdotool", "type", "--delay", "30", "vgpu 42");
        run("xdotool-key", "xdotool", "key", "Return", "shift+a", "F5", "Left");
        // evdev: v 47, g 34, p 25, u 22, space 57, 4 5, 2 3, Return 28, Shift 42 + a 30, F5 63, Left 105.
        input.awaitInOrder(List.of("key 47 down", "key 47 up", "key 34 down", "key 25 down", "key 22 down", "key 57 down",
                "key 5 down", "key 3 down", "key 28 down", "key 28 up", "key 42 down", "key 30 down", "key 42 up",
                "key 63 down", "key 105 down", "key 105 up"));
        input.awaitInOrder(List.of("key 30 down", "key 30 up")); // xdotool releases shift+a as Shift, then a
        run("xdotool-click", "xdotool", "mousemove", "--window", window, "100", "50", "click", "1");
        run("xdotool-right", "xdotool", "mousemove", "--window", window, "639", "479", "click", "3");
        run("xdotool-wheel", "xdotool", "click", "4");
        input.awaitInOrder(List.of("pointer 100 50 640 480", "button 0x110 down", "button 0x110 up",
                "pointer 639 479 640 480", "button 0x111 down", "button 0x111 up", "wheel 1"));
        String displays = ShellIT.run(processor, "vgpu:displays");
        assertTrue(displays.contains("zrle") || displays.contains("raw"), displays);
    }

    @Test
    void vncviewerAuthenticatesWithThePassword() throws Exception {
        int port = startServer("vncit-auth", "it-pass1");
        Path passwd = dir.resolve("passwd");
        Process p = new ProcessBuilder("vncpasswd", "-f").redirectOutput(passwd.toFile()).start();
        p.getOutputStream().write("it-pass1\nit-pass1\n".getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "vncpasswd -f failed");
        viewer(port, "-passwd", passwd.toString());
        String out = awaitDisplays("client 127.0.0.1");
        assertTrue(out.contains(" password "), out);
    }
}
