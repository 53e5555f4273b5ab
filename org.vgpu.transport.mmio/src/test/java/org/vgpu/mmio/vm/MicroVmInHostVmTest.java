package org.vgpu.mmio.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Boots the Debian 6.12 kernel with the test guest's initramfs in the micro-VM. This machine's
 * KVM cannot run Linux, so the micro-VM runs inside the test host VM (cnf/scripts/host-vm),
 * whose nested KVM can; the host VM shares this machine's root, JDK and build output.
 */
class MicroVmInHostVmTest {

    @Test
    void linuxBootsToItsInitPowersOffThroughAcpiAndProbesAVirtioMmioWindow() throws Exception {
        Path scripts = Path.of(System.getProperty("user.dir")).resolve("../cnf/scripts").normalize();
        run("bash", scripts.resolve("setup").toString(), "--quiet"); // `mvn -B verify` ran it first: quick
        String kernel = newestKernel();
        String initrd = run(scripts.resolve("build-guest-initramfs").toString(), "--variant", "guest").strip();
        initrd = initrd.substring(initrd.lastIndexOf('\n') + 1);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String vm = java + " --enable-native-access=ALL-UNNAMED -cp " + System.getProperty("java.class.path") + " ";
        String boot = " --kernel " + kernel + " --initrd " + initrd + " --memory 512M --append ";
        // A nested boot under TCG has once stayed silent from the start (see MicroVmGpuScenario):
        // a boot whose output lacks its first expected line within its limit is reported and retried
        // once. A boot takes 30-40 s on a quiet machine; 150 s leaves room for a loaded one.
        String command = "boot() { want=$1; shift; for limit in 150 150; do timeout $limit \"$@\" > /tmp/microvm.out 2>&1; rc=$?;"
                + " cat /tmp/microvm.out; grep -q \"$want\" /tmp/microvm.out && return $rc;"
                + " echo \"BOOT-RETRY: no '$want' within $limit s (rc $rc)\"; done; return $rc; }; "
                + "boot 'Linux version' " + vm + MicroVmMain.class.getName() + boot
                + "'console=ttyS0 panic=-1 vgpu.test=none vgpu.hold=1 vgpu.fbwait=1'; echo MICROVM-RC=$?; "
                + "boot VGPU-INIT " + vm + MmioProbeMain.class.getName() + boot
                + "'console=ttyS0 quiet panic=-1 vgpu.test=none vgpu.hold=0 vgpu.fbwait=1'";
        String out = run("bash", scripts.resolve("host-vm").toString(), "--timeout", "660", "--", command);
        out.lines().filter(l -> l.startsWith("vm:") || l.startsWith("MMIO-PROBE") || l.startsWith("MICROVM-RC") || l.startsWith("BOOT-RETRY")
                || l.startsWith("host-vm:"))
                .forEach(System.out::println); // the numbers, for the build log
        assertTrue(out.contains("Linux version 6.12"), out);
        assertTrue(out.contains("VGPU-INIT 6.12"), out);
        assertTrue(out.contains("VGPU-POWEROFF"), out);
        assertTrue(out.contains("vm: POWER_OFF: ACPI S5"), out);
        assertTrue(out.contains("MICROVM-RC=0"), out);
        // The second boot has a virtio-mmio window: virtio_mmio found it in the DSDT, checked
        // magic/version/device ID and reset it and set ACKNOWLEDGE (status 1) as it registered it.
        assertTrue(out.contains("MMIO-PROBE accesses r000 r004 r008 r00c"), out);
        assertTrue(out.contains("w070=0") && out.contains("w070=1"), out);
        assertTrue(out.contains("MMIO-PROBE rc 0"), out);
    }

    private static String newestKernel() throws IOException {
        try (Stream<Path> boot = Files.list(Path.of("/boot"))) {
            // version order, as the scripts' sort -V: digit runs zero-padded compare as numbers
            return boot.map(Path::toString).filter(p -> p.startsWith("/boot/vmlinuz-6.12."))
                    .max(java.util.Comparator.comparing((String p) -> java.util.regex.Pattern.compile("\\d+").matcher(p)
                            .replaceAll(r -> "%012d".formatted(Long.parseLong(r.group())))))
                    .orElseThrow(() -> new AssertionError("no /boot/vmlinuz-6.12.*"));
        }
    }

    private static String run(String... command) throws Exception {
        // Output to a file, not a pipe read to its end: then the 12 min limit holds even if the command hangs.
        Path file = Files.createTempFile("microvm-host-vm", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!p.waitFor(12, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("did not finish in 12 min: " + String.join(" ", command) + "\n" + Files.readString(file));
            }
            String out = Files.readString(file, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
