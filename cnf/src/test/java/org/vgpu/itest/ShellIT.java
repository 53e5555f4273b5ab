package org.vgpu.itest;

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
        assertTrue(out.contains("NAME") && out.contains("DEVICE-ID") || out.contains("no virtio devices"), out);
    }

    @Test
    void queuesAndTransportsAnswer() throws Exception {
        String queues = run(processor, "vgpu:queues");
        assertTrue(queues.contains("QUEUE") || queues.contains("no virtio devices"), queues);
        String transports = run(processor, "vgpu:transports");
        assertTrue(transports.contains("ENDPOINT") || transports.contains("no virtio transports"), transports);
    }
}
