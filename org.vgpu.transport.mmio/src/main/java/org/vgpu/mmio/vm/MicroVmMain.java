package org.vgpu.mmio.vm;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line entry: boots a Linux bzImage in the micro-VM with the console on stdout.
 * Usage: --kernel BZIMAGE [--initrd FILE] [--append "CMDLINE"] [--memory 512M].
 * Exit status: 0 when the guest powered off or reset, 1 when it crashed, 2 for usage errors,
 * 3 when KVM is missing or cannot run a Linux guest (one line on stderr says why).
 */
public final class MicroVmMain {

    static final int EXIT_USAGE = 2;
    static final int EXIT_NO_KVM = 3;

    private MicroVmMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Work on the created VM before it boots (adding devices); the command line adds none yet. */
    @FunctionalInterface
    interface BeforeBoot {
        void accept(MicroVm vm) throws Exception;
    }

    static int run(String[] args) throws Exception {
        return run(args, vm -> {
        });
    }

    static int run(String[] args, BeforeBoot beforeBoot) throws Exception {
        Path kernel = null;
        Path initrd = null;
        String append = "console=ttyS0";
        long memory = 512L << 20;
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--kernel" -> kernel = Path.of(required(args[i], value));
                    case "--initrd" -> initrd = Path.of(required(args[i], value));
                    case "--append" -> append = required(args[i], value);
                    case "--memory" -> memory = parseSize(required(args[i], value));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (kernel == null) {
                throw new IllegalArgumentException("--kernel is required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("vm: " + e.getMessage());
            System.err.println("usage: vm --kernel BZIMAGE [--initrd FILE] [--append \"CMDLINE\"] [--memory 512M]");
            return EXIT_USAGE;
        }
        if (!Files.exists(Path.of("/dev/kvm"))) {
            System.err.println("KVM is not available here: /dev/kvm does not exist");
            return EXIT_NO_KVM;
        }
        OutputStream console = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 8192);
        long start = System.nanoTime();
        MicroVm vm;
        try {
            vm = MicroVm.create(memory, console);
        } catch (Exception e) {
            System.err.println("KVM here cannot run a Linux guest: " + e.getMessage());
            return EXIT_NO_KVM;
        }
        try (vm) {
            beforeBoot.accept(vm);
            vm.boot(kernel, initrd, append);
            ConsoleInput.forward(System.in, vm);
            VmExit exit = vm.run();
            double seconds = (System.nanoTime() - start) / 1e9;
            console.flush();
            if (exit.kind() == VmExit.Kind.KVM_FAILURE) {
                System.err.println("KVM here cannot run a Linux guest: " + exit.detail());
                return EXIT_NO_KVM;
            }
            System.err.printf(Locale.ROOT, "vm: %s after %.2f s, %d exits%n", exit, seconds, vm.exitCount());
            return exit.kind() == VmExit.Kind.CRASH ? 1 : 0;
        }
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /** "512M", "1G", "65536K" or plain bytes. */
    public static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("bad size " + text);
        }
    }
}
