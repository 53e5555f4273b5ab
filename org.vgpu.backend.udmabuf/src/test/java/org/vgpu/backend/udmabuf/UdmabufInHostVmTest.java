package org.vgpu.backend.udmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The udmabuf backend against a real kernel: this machine's kernel has no udmabuf, so the probe
 * runs in the test host VM (cnf/scripts/host-vm), which shares this machine's root and JDK.
 */
class UdmabufInHostVmTest {

    @Test
    void guestPagesBecomeADmabufTheHostReadsWithoutCopying() throws Exception {
        Path hostVm = Path.of(System.getProperty("user.dir")).resolve("../cnf/scripts/host-vm").normalize();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = java + " --enable-native-access=ALL-UNNAMED -cp " + System.getProperty("java.class.path")
                + " " + DmabufProbe.class.getName();
        Process p = new ProcessBuilder("bash", hostVm.toString(), "--timeout", "240", "--", command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "host VM did not finish");
        out.lines().filter(l -> l.startsWith("host-vm:")).forEach(System.out::println); // a retry and its cause
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("DMABUF-OK guest pages shared as a dma-buf (4 memfd range(s))"), out);
    }
}
