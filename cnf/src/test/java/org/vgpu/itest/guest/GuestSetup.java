package org.vgpu.itest.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real-guest tests' view of the machine's set-up. `mvn -B verify` runs cnf/scripts/setup
 * (packages, kernel, guest images) before any test; a test run on its own calls it again (it is
 * idempotent and quick) and takes the initramfs cnf/scripts/build-guest-initramfs has cached in
 * ~/.cache/vgpu or $VGPU_CACHE.
 */
public final class GuestSetup {
    private static Path initramfs;
    private static Path glInitramfs;

    private GuestSetup() {
    }

    /** The repository root, from the vgpu.root framework property the test runtime sets. */
    public static Path root() {
        String root = System.getProperty("vgpu.root");
        if (root == null) {
            org.osgi.framework.Bundle b = org.osgi.framework.FrameworkUtil.getBundle(GuestSetup.class);
            root = b == null ? "." : b.getBundleContext().getProperty("vgpu.root");
        }
        return Path.of(root == null ? "." : root).toAbsolutePath().normalize();
    }

    /**
     * The guest initramfs; property vgpu.guest.initramfs names a ready one (the test host VM sees
     * this machine's files read-only, so its tests take the image the outer test built).
     */
    public static synchronized Path initramfs() throws IOException, InterruptedException {
        if (initramfs == null && System.getProperty("vgpu.guest.initramfs") != null) {
            initramfs = Path.of(System.getProperty("vgpu.guest.initramfs"));
        }
        if (initramfs == null) {
            run(root().resolve("cnf/scripts/setup").toString(), "--quiet"); // done by the build already: quick
            String out = run(root().resolve("cnf/scripts/build-guest-initramfs").toString());
            initramfs = Path.of(out.lines().reduce((a, b) -> b).orElseThrow().trim());
        }
        return initramfs;
    }

    /**
     * The 3D test guest's initramfs (build-guest-initramfs --variant gl): this machine's root over
     * 9p, so Debian's Mesa and GL programs run in the guest, and virtio-gpu's modules.
     */
    public static synchronized Path glInitramfs() throws IOException, InterruptedException {
        if (glInitramfs == null) {
            run(root().resolve("cnf/scripts/setup").toString(), "--quiet");
            String out = run(root().resolve("cnf/scripts/build-guest-initramfs").toString(), "--variant", "gl");
            glInitramfs = Path.of(out.lines().reduce((a, b) -> b).orElseThrow().trim());
        }
        return glInitramfs;
    }

    /** The newest /boot/vmlinuz-6.12.*, in version order as the scripts' sort -V (6.12.10 after 6.12.9). */
    public static Path kernel() throws IOException {
        try (var s = Files.list(Path.of("/boot"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-6.12."))
                    .max(java.util.Comparator.comparing(p -> versionKey(p.getFileName().toString())))
                    .orElseThrow(() -> new IOException("no /boot/vmlinuz-6.12.*"));
        }
    }

    /** A name whose digit runs are zero-padded, so that text order is version order. */
    static String versionKey(String name) {
        return java.util.regex.Pattern.compile("\\d+").matcher(name).replaceAll(r -> "%012d".formatted(Long.parseLong(r.group())));
    }

    private static String run(String script, String... args) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("bash", script));
        command.addAll(java.util.List.of(args));
        BoundedProcess r = BoundedProcess.run(new ProcessBuilder(command), java.time.Duration.ofMinutes(15));
        if (r.timedOut() || r.status() != 0) {
            throw new IOException(script + (r.timedOut() ? " did not finish within 15 min" : " failed") + ":\n" + r.output());
        }
        return r.output();
    }
}
