package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starting VNC servers on a free display number and running real clients (installed by cnf/scripts/setup). */
final class RealClients {
    private RealClients() {
    }

    /** A server on 127.0.0.1:5900+N for a free N (gvnccapture takes a display number, not a port). */
    static VncServer serverOnFreeDisplay(VncSettings template, InputRouter input) throws IOException {
        for (int display = 150 + (int) (ProcessHandle.current().pid() % 500); ; display++) {
            VncSettings s = new VncSettings(ListenAddress.parse("127.0.0.1:" + (5900 + display)), template.device(),
                    template.scanout(), template.password(), template.maxClients(), template.maxCutText(), template.encodings(),
                    template.handshakeTimeoutMillis());
            try {
                return new VncServer(s, input);
            } catch (BindException e) {
                if (display > 2000) {
                    throw e;
                }
            }
        }
    }

    static int display(VncServer server) {
        return ((java.net.InetSocketAddress) server.address().address()).getPort() - 5900;
    }

    /** gvnccapture (gtk-vnc) saves what it received as a lossless PNG. */
    static Path gvnccapture(VncServer server, Path dir, String name) throws Exception {
        Path png = dir.resolve(name + ".png");
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(List.of("gvnccapture", "127.0.0.1:" + display(server), png.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("gvnccapture did not finish in 60 s: " + Files.readString(log));
        }
        assertTrue(p.exitValue() == 0 && Files.exists(png), "gvnccapture failed (" + p.exitValue() + "): " + Files.readString(log));
        awaitNoClients(server);
        return png;
    }

    /** Bounded wait until the server has seen every client go (a client's exit precedes our reader's EOF). */
    static void awaitNoClients(VncServer server) throws InterruptedException {
        awaitClientCount(server, 0);
    }

    static void awaitClientCount(VncServer server, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.clients().size() != n) {
            if (System.nanoTime() > deadline) {
                fail("the server has " + server.clients().size() + " clients, not " + n + ", after 10 s");
            }
            Thread.sleep(10);
        }
    }
}
