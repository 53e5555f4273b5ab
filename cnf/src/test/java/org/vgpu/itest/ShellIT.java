package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.vgpu.virtio.api.VirtioDevice;

/** The vgpu Gogo commands answer inside the assembled runtime. */
class ShellIT {
    @InjectService(timeout = 5000)
    CommandProcessor processor;

    /** gpu0 is a factory configuration that ConfigAdmin delivers asynchronously: wait (10 s) until it is there. */
    @BeforeEach
    void awaitGpu0() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(ShellIT.class).getBundleContext();
        long deadline = System.currentTimeMillis() + 10_000;
        while (context.getServiceReferences(VirtioDevice.class, "(vgpu.device.name=gpu0)").isEmpty()
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
    }

    static String run(CommandProcessor processor, String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(InputStream.nullInputStream(), out, out)) {
            session.execute(command);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void devicesPrintsATable() throws Exception {
        String out = run(processor, "vgpu:devices");
        assertTrue(out.startsWith("NAME"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("gpu0 ") && l.contains(" 16 ") && l.contains("gpu")), out);
    }

    @Test
    void queuesAndTransportsAnswer() throws Exception {
        String queues = run(processor, "vgpu:queues gpu0");
        assertEquals(3, queues.lines().count(), queues); // header + control + cursor queue
        assertTrue(queues.lines().skip(1).allMatch(l -> l.startsWith("gpu0 ")), queues);
    }

    /** A vhost-user socket configured for gpu0 appears in vgpu:transports, waiting for its VMM, and goes with its configuration. */
    @Test
    void transportsListsAConfiguredSocketAndItsDevice() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(ShellIT.class).getBundleContext();
        ConfigurationAdmin cm = context.getService(context.getServiceReference(ConfigurationAdmin.class));
        Path socket = Files.createTempDirectory("vgpu-shellit").resolve("shell.sock");
        Configuration transport = cm.getFactoryConfiguration("org.vgpu.vhostuser", "shellit", "?");
        Dictionary<String, Object> t = new Hashtable<>();
        t.put("socket.path", socket.toString());
        t.put("device.target", "(vgpu.device.name=gpu0)");
        transport.update(t);
        try {
            String row = awaitRow(socket.toString(), true);
            assertTrue(row.startsWith("vhost-user"), row);
            String[] f = row.trim().split("\\s+");
            assertEquals(socket.toString(), f[1], row);
            assertEquals("gpu0", f[2], row);
            assertEquals("listening", f[3], row);
            assertTrue(Files.exists(socket), "the socket file exists");
        } finally {
            transport.delete();
        }
        assertEquals(null, awaitRow(socket.toString(), false), "the socket's row went with its configuration");
    }

    /** The vgpu:transports row naming endpoint, once it is there (present) or gone (null), within 10 s. */
    private String awaitRow(String endpoint, boolean present) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            String table = run(processor, "vgpu:transports");
            String row = table.lines().filter(l -> l.contains(" " + endpoint + " ")).findFirst().orElse(null);
            if ((row != null) == present || System.currentTimeMillis() > deadline) {
                return row;
            }
            Thread.sleep(50);
        }
    }

    /** `./vgpu attach` runs command lines in this running platform through its control socket. */
    @Test
    void attachRunsCommandsInTheRunningPlatform() throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of(System.getProperty("vgpu.root"));
        String socket = root.resolve("cnf/target/itest-control.sock").toString();
        Attached devices = attach(root, socket, "vgpu:devices");
        assertEquals(0, devices.status, devices.output);
        assertTrue(devices.output.lines().anyMatch(l -> l.startsWith("gpu0 ") && l.contains(" 16 ")), devices.output);
        Attached bad = attach(root, socket, "vgpu:nosuchcommand");
        assertEquals(2, bad.status, "a failing command gives status 2: " + bad.output);
        Attached missing = attach(root, root.resolve("cnf/target/no-such.sock").toString(), "vgpu:devices");
        assertEquals(69, missing.status, missing.output);
        assertTrue(missing.output.contains("cannot reach"), missing.output);
    }

    record Attached(int status, String output) {
    }

    static Attached attach(java.nio.file.Path root, String socket, String command) throws Exception {
        Process p = new ProcessBuilder("bash", root.resolve("vgpu").toString(), "attach", socket, command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "attach did not finish");
        return new Attached(p.exitValue(), out);
    }

    @Test
    void gpuCommandsAnswer() throws Exception {
        String scanouts = run(processor, "vgpu:scanouts");
        assertTrue(scanouts.lines().anyMatch(l -> l.startsWith("gpu0 ") && l.contains("1280x800")), scanouts);
        String stats = run(processor, "vgpu:stats");
        assertTrue(stats.contains("RESOURCE_CREATE_2D") && stats.contains("ERR_INVALID_PARAMETER"), stats);
        String resources = run(processor, "vgpu:resources gpu0");
        assertTrue(resources.startsWith("DEVICE") || resources.contains("no resources"), resources);
    }

    /**
     * The default profile has the virgl renderer: --print-capabilities says so as QEMU's back end
     * does, and the options libvirt passes with it (--virgl, --render-node) start a platform whose
     * renderer falls back to EGL surfaceless when the node is not there.
     */
    @Test
    void theLauncherOffersVirglAndTakesLibvirtsOptions() throws Exception {
        java.nio.file.Path root = org.vgpu.itest.guest.GuestSetup.root();
        String vgpu = root.resolve("vgpu").toString();
        Attached caps = launch(new ProcessBuilder("bash", vgpu, "--print-capabilities"));
        assertEquals(0, caps.status(), caps.output());
        assertEquals("{\"type\": \"gpu\", \"features\": [\"render-node\", \"virgl\"]}", caps.output().trim());
        java.nio.file.Path load = java.nio.file.Files.createTempDirectory("vgpu-launcher-load");
        Attached run = launch(new ProcessBuilder("bash", vgpu, "--virgl", "--render-node=/nonexistent/renderD128", "--no-socket",
                "-Dfelix.fileinstall.dir=" + load, "-c", "vgpu:devices"));
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("render node /nonexistent/renderD128 is not there: EGL surfaceless instead"), run.output());
        assertTrue(run.output().contains("virglrenderer ready (GL, EGL surfaceless): capsets 2"), run.output());
        // What a VMM connecting now would be offered: VIRGL (bit 0), the renderer's types being bound.
        String gpu0 = run.output().lines().filter(l -> l.startsWith("gpu0 ")).findFirst().orElseThrow(() -> new AssertionError(run.output()));
        assertEquals(1L, Long.decode(gpu0.trim().split("\\s+")[4]) & 1L, "gpu0 offers VIRGL: " + run.output());
    }

    private static Attached launch(ProcessBuilder command) throws Exception {
        Process p = command.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "vgpu did not finish: " + out);
        return new Attached(p.exitValue(), out);
    }
}
