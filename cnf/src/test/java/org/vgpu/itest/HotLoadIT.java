package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;

/** FileInstall installs and starts a bundle dropped into the load folder, and uninstalls it when removed. */
class HotLoadIT {
    static final String BSN = "org.vgpu.itest.hotload";

    @InjectBundleContext
    BundleContext context;

    @Test
    void droppedBundleIsStartedAndRemovedBundleUninstalled() throws Exception {
        Path dir = Path.of(context.getProperty("felix.fileinstall.dir"));
        Files.createDirectories(dir);
        Path jar = dir.resolve("hotload.jar");
        writeBundle(jar);
        try {
            Bundle installed = await(() -> find(), 20_000);
            assertNotNull(installed, "FileInstall did not install " + jar);
            awaitState(installed, Bundle.ACTIVE, 10_000);
            assertEquals(Bundle.ACTIVE, installed.getState());
        } finally {
            Files.deleteIfExists(jar);
        }
        long deadline = System.currentTimeMillis() + 20_000;
        while (find() != null && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertNull(find(), "bundle still installed after its jar was removed");
    }

    private Bundle find() {
        return Arrays.stream(context.getBundles()).filter(b -> BSN.equals(b.getSymbolicName())).findFirst().orElse(null);
    }

    private static Bundle await(java.util.function.Supplier<Bundle> probe, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        Bundle b;
        while ((b = probe.get()) == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        return b;
    }

    private static void awaitState(Bundle b, int state, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (b.getState() != state && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
    }

    private static void writeBundle(Path jar) throws Exception {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", BSN);
        a.putValue("Bundle-Version", "1.0.0");
        Path tmp = jar.resolveSibling("hotload.tmp"); // FileInstall ignores it (filter), then an atomic rename
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.flush();
        }
        Files.move(tmp, jar, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
