package org.vgpu.itest.guest;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** What a JVM prints when it crashes (hs_err): inside the host VM, under TCG, seen once in pure Java code. */
    static final String JVM_CRASH = "A fatal error has been detected by the Java Runtime Environment";

    /** The host VM kernel's hung-task report (seen once: khugepaged blocked while a nested guest booted, until the timeout). */
    static final Pattern HOST_KERNEL_HUNG = Pattern.compile("INFO: task [^\\n]* blocked for more than \\d+ seconds\\.");

    /** How vgpu reports a micro-VM guest that reset itself mid-run (a triple fault) or crashed. */
    static final Pattern GUEST_DIED = Pattern.compile("vm: (RESET: triple fault|CRASH)[^\\n]*");

    /**
     * What a scenario's failure starts with when vgpu:vm showed the micro-VM's vCPU wedged in
     * exception delivery (KVM re-injecting one exception at one rip, the guest's handler never run).
     */
    public static final String GUEST_WEDGED = "GUEST-WEDGED";

    private static final Pattern WEDGED = Pattern.compile(GUEST_WEDGED + " [^\\n]*");

    /**
     * vcpu0's line of vgpu:vm (Vcpu.describeState): its state, rip, rsp, the exception KVM delivers
     * ("none", or its vector with error code and payload) and CR2. MicroVmInputScenario checks a
     * real readout against it, so a change of that format fails a test, not just this classifier.
     */
    public static final Pattern VCPU0 = Pattern.compile("vcpu0: (runnable|halted|mp state \\d+), rip (0x[0-9a-f]+), rsp (0x[0-9a-f]+),"
            + " interrupts (?:on|off) .*, exception (none|(?:injected|pending) vector (\\d+)([^;]*?)), cr2 (0x[0-9a-f]+); lapic ");

    /**
     * Why two vgpu:vm readouts taken seconds apart show vcpu0 wedged: runnable at the same rip with
     * KVM delivering the same exception for the same CR2 both times (nested KVM on TCG has
     * re-injected a #PF at an unmapped rip, with rsp lost too, 11 000-20 000 times a second, never
     * reaching the guest's handler, until the test gave up); null for anything else, such as a
     * halted guest waiting for a device, which is vgpu's to answer.
     */
    public static String wedgedVcpu(String first, String second) {
        Matcher a = VCPU0.matcher(first);
        Matcher b = VCPU0.matcher(second);
        if (!a.find() || !b.find() || !a.group(1).equals("runnable") || !b.group(1).equals("runnable") || a.group(5) == null
                || !a.group(2).equals(b.group(2)) || !a.group(5).equals(b.group(5)) || !a.group(7).equals(b.group(7))) {
            return null;
        }
        String code = second.lines().filter(l -> l.startsWith("code at rip: ")).findFirst().orElse("code at rip: ?");
        return "vcpu0 runnable at rip " + b.group(2) + " (rsp " + b.group(3) + ") with KVM delivering exception vector " + b.group(5) + b.group(6)
                + ", cr2 " + b.group(7) + ", " + code;
    }

    /**
     * Runs the scenario; once more, printed as SCENARIO-RETRY with the cause, when the failure was
     * the emulation's rather than vgpu's: the scenario's own JVM crashed inside the host VM (a
     * SIGSEGV in JIT-compiled test code under TCG, seen once), or the micro-VM's guest died (a
     * triple fault of the Linux guest under nested KVM on TCG, seen once during rapid input) or
     * wedged ({@link #GUEST_WEDGED}), or the host VM's own kernel hung until host-vm's timeout
     * (its hung-task report in the log).
     * Any other failure is the scenario's result.
     */
    public static Result run(Class<?> scenario, String args, int timeoutSeconds) throws Exception {
        Result first = runOnce(scenario, args, timeoutSeconds);
        String cause = first.status() == 0 ? null : retryCause(first.output());
        if (cause == null) {
            return first;
        }
        System.out.println("SCENARIO-RETRY " + scenario.getSimpleName() + " (status " + first.status() + "): " + cause);
        Result second = runOnce(scenario, args, timeoutSeconds);
        return new Result(second.status(), "SCENARIO-RETRY after " + cause + "\n" + second.output());
    }

    /** Why a failed run is worth one more (null: it is not). */
    static String retryCause(String output) {
        if (output.contains(JVM_CRASH)) {
            return "its JVM crashed in the host VM: " + output.lines().filter(l -> l.startsWith("# J ") || l.startsWith("# C ") || l.startsWith("# V "))
                    .findFirst().orElse("(no problematic frame printed)");
        }
        Matcher hung = HOST_KERNEL_HUNG.matcher(output);
        if (output.contains("host-vm: no result within") && hung.find()) {
            return "the host VM's kernel hung before the scenario ended: " + hung.group().trim();
        }
        if (output.contains("BOOT-RETRY")) {
            return null; // one retry per guest: a scenario that retried its boot itself had it
        }
        Matcher died = GUEST_DIED.matcher(output);
        if (died.find()) {
            return "the micro-VM's guest died: " + died.group();
        }
        Matcher wedged = WEDGED.matcher(output);
        return wedged.find() ? "the micro-VM's guest wedged: " + wedged.group() : null;
    }

    private static Result runOnce(Class<?> scenario, String args, int timeoutSeconds) throws Exception {
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
        // host-vm ends its VM at timeoutSeconds; this is the limit should host-vm itself hang
        BoundedProcess p = BoundedProcess.run(new ProcessBuilder("bash", root.resolve("cnf/scripts/host-vm").toString(), "--timeout",
                String.valueOf(timeoutSeconds), "--", command), Duration.ofSeconds(timeoutSeconds + 300L));
        String out = p.output();
        if (p.timedOut()) {
            return new Result(124, out + "\nhost VM did not finish");
        }
        // The figures go to the test log as well, and every host-VM retry with its cause.
        System.out.println(out.lines().filter(l -> l.startsWith("FACT") || l.startsWith("  |") || l.startsWith("host-vm:") || l.startsWith("BOOT-RETRY"))
                .reduce("", (a, b) -> a + b + "\n"));
        return new Result(p.status(), out);
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
