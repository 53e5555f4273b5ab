package org.vgpu.itest.guest;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * Runs a scenario's main class inside the test host VM (cnf/scripts/host-vm), where /dev/udmabuf
 * and a KVM that boots Linux exist, with this build's test classes, core classes, JNA and the OSGi
 * framework on the class path. The guest initramfs is built here first: inside, the cache is read-only.
 */
public final class HostVmScenario {

    /** The host VM's exit status (the scenario's, or 124 on a timeout) and everything it printed. */
    public record Result(int status, String output) {
    }

    private HostVmScenario() {
    }

    public static Result run(Class<?> scenario, String args, int timeoutSeconds) throws Exception {
        Path root = GuestSetup.root();
        Path initramfs = GuestSetup.initramfs();
        String classPath = String.join(File.pathSeparator, List.of(
                root.resolve("cnf/target/test-classes").toString(),
                root.resolve("org.vgpu.core/target/classes").toString(),
                jarOf(com.sun.jna.Native.class),
                jarOf(Bundle.class)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = java + " --enable-native-access=ALL-UNNAMED -Xmx512m -cp " + classPath + " -Dvgpu.root=" + root
                + " -Dvgpu.guest.initramfs=" + initramfs + " " + scenario.getName() + " " + args;
        Process p = new ProcessBuilder("bash", root.resolve("cnf/scripts/host-vm").toString(), "--timeout",
                String.valueOf(timeoutSeconds), "--", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds + 300L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(124, out + "\nhost VM did not finish");
        }
        // The figures go to the test log as well, and every host-VM retry with its cause.
        System.out.println(out.lines().filter(l -> l.startsWith("FACT") || l.startsWith("  |") || l.startsWith("host-vm:"))
                .reduce("", (a, b) -> a + b + "\n"));
        return new Result(p.exitValue(), out);
    }

    /** The file a class was loaded from: a bundle's jar, or the framework's. */
    private static String jarOf(Class<?> type) throws Exception {
        Bundle b = FrameworkUtil.getBundle(type);
        if (b != null && b.getLocation().endsWith(".jar")) {
            String loc = b.getLocation();
            return Path.of(loc.startsWith("reference:") ? loc.substring(10) : loc).toString().replaceFirst("^file:", "");
        }
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
