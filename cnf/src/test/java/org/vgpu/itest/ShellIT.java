package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/** The vgpu Gogo commands answer inside the assembled runtime. */
class ShellIT {
    @InjectService(timeout = 5000)
    CommandProcessor processor;

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
        String transports = run(processor, "vgpu:transports");
        assertTrue(transports.startsWith("KIND") || transports.startsWith("no virtio transports"), transports);
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
}
