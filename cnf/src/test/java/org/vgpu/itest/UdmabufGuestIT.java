package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.osgi.framework.FrameworkUtil;
import org.vgpu.itest.guest.GuestSetup;
import org.vgpu.itest.hostvm.UdmabufGuestScenario;

/**
 * A real Linux guest's framebuffer served zero-copy through a real udmabuf: this machine's kernel
 * has none, so {@link UdmabufGuestScenario} runs in the test host VM (cnf/scripts/host-vm) with
 * the assembled vgpu.jar, a KVM-accelerated QEMU guest and this build's classes.
 */
class UdmabufGuestIT {

    @Test
    void guestFramebufferIsADmabufAndSurvivesTheBackendLeaving() throws Exception {
        Path root = GuestSetup.root();
        Path initramfs = GuestSetup.initramfs(); // built here: inside the host VM the cache is read-only
        String classPath = String.join(File.pathSeparator, List.of(
                root.resolve("cnf/target/test-classes").toString(),
                root.resolve("org.vgpu.core/target/classes").toString(),
                jarOf(com.sun.jna.Native.class),
                jarOf(org.osgi.framework.Bundle.class)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = java + " --enable-native-access=ALL-UNNAMED -Xmx512m -cp " + classPath + " -Dvgpu.root=" + root
                + " -Dvgpu.guest.initramfs=" + initramfs + " " + UdmabufGuestScenario.class.getName();
        Process p = new ProcessBuilder("bash", root.resolve("cnf/scripts/host-vm").toString(), "--timeout", "900", "--", command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "host VM did not finish");
        System.out.println(out.lines().filter(l -> l.startsWith("FACT") || l.startsWith("  |")).reduce("", (a, b) -> a + b + "\n"));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("SCENARIO-OK"), out);
        assertTrue(out.contains("FACT dmabuf-mismatching-pixels = 0"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("FACT udmabuf-frames = \\d+ TRANSFERs in \\d+ ms; per TRANSFER: 0 bytes copied, [1-9]\\d* bytes shared, [1-9]\\d* display bytes")), out);
    }

    /** The file a class was loaded from: a bundle's jar, or the framework's. */
    private static String jarOf(Class<?> type) throws Exception {
        org.osgi.framework.Bundle b = FrameworkUtil.getBundle(type);
        if (b != null && b.getLocation().endsWith(".jar")) {
            String loc = b.getLocation();
            return Path.of(loc.startsWith("reference:") ? loc.substring(10) : loc).toString().replaceFirst("^file:", "");
        }
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
