package org.vgpu.itest.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command with a deadline that holds: its output goes to a file, not a pipe read to its
 * end first (a reader blocked in readAllBytes never reaches waitFor's timeout), and at the
 * deadline the command and everything it started are killed.
 */
public record BoundedProcess(boolean timedOut, int status, String output) {

    public static BoundedProcess run(ProcessBuilder command, Duration limit) throws IOException, InterruptedException {
        Path out = Files.createTempFile("vgpu-process", ".out");
        try {
            Process p = command.redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean finished = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            return new BoundedProcess(!finished, finished ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
