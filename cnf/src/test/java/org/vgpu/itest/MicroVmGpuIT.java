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
import org.vgpu.itest.hostvm.MicroVmGpuScenario;

/**
 * A real Linux guest's virtio_gpu driver on virtio-mmio in vgpu's own micro-VM: this machine's
 * KVM cannot run Linux, so {@link MicroVmGpuScenario} runs in the test host VM (cnf/scripts/host-vm)
 * with the assembled vgpu.jar booting the guest itself.
 */
class MicroVmGpuIT {

    @Test
    void guestDrawsTheKnownImageOverVirtioMmioAndThePlatformEndsWithIt() throws Exception {
        String out = runScenario("");
        assertTrue(out.contains("[drm] features: -virgl"), out);
    }

    /** ./vgpu vm --cross-domain: the guest takes the 3D path (VIRGL, CONTEXT_INIT, capset 5) and still draws pixel-exact. */
    @Test
    void crossDomainGpuOverVirtioMmio() throws Exception {
        String out = runScenario("--cross-domain");
        assertTrue(out.contains("[drm] features: +context_init"), out);
        assertTrue(out.contains("cap set 0: id 5"), out);
    }

    /**
     * The guest program vgpu-hostblob: cross-domain context, image requirements, a HOST3D blob mapped
     * into the host-visible region (a KVM slot of vgpu's memfd), the image written there and scanned
     * out: vgpu's screenshot is pixel-exact with nothing copied.
     */
    @Test
    void aGuestDrawsIntoHostMemoryVgpuMappedIntoIt() throws Exception {
        String out = runScenario("--hostblob");
        assertTrue(out.contains("FACT hostblob = VGPU-HOSTBLOB stride=5120 size=4096000"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("FACT hostmem-stats = hostmem\\s+0\\s+.*")), out);
    }

    private static String runScenario(String args) throws Exception {
        Path root = GuestSetup.root();
        Path initramfs = GuestSetup.initramfs(); // built here: inside the host VM the cache is read-only
        String classPath = String.join(File.pathSeparator, List.of(
                root.resolve("cnf/target/test-classes").toString(),
                root.resolve("org.vgpu.core/target/classes").toString(),
                jarOf(com.sun.jna.Native.class),
                jarOf(org.osgi.framework.Bundle.class)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = java + " --enable-native-access=ALL-UNNAMED -Xmx512m -cp " + classPath + " -Dvgpu.root=" + root
                + " -Dvgpu.guest.initramfs=" + initramfs + " " + MicroVmGpuScenario.class.getName() + " " + args;
        Process p = new ProcessBuilder("bash", root.resolve("cnf/scripts/host-vm").toString(), "--timeout", "600", "--", command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "host VM did not finish");
        System.out.println(out.lines().filter(l -> l.startsWith("FACT") || l.startsWith("  |")).reduce("", (a, b) -> a + b + "\n"));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("SCENARIO-OK"), out);
        assertTrue(out.contains("FACT screenshot-mismatching-pixels = 0"), out);
        assertTrue(out.contains("FACT vgpu-exit-status = 0"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("  \\| virtio-mmio\\s+micro-VM\\s+gpu0\\s+active.*")), out);
        assertTrue(out.contains("Host memory window: 0x100000000 +0x40000000"), out);
        return out;
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
