package org.vgpu.itest.guest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The itest profile's virgl renderer bundle. While it runs, every GPU device offers VIRGL (and a
 * Linux guest takes the 3D path), so tests of 2D or cross-domain-only devices stop it for their
 * duration (transiently: the framework starts it again next time) and start it afterwards.
 */
public final class VirglBundle {
    public static final String BSN = "org.vgpu.renderer.virgl";

    private VirglBundle() {
    }

    /** The installed bundle, or null. */
    public static Bundle find(BundleContext context) {
        for (Bundle b : context.getBundles()) {
            if (BSN.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    /** Stops it (its ContextType services go, synchronously) if it is there. */
    public static void stop(BundleContext context) throws BundleException {
        Bundle b = find(context);
        if (b != null) {
            b.stop(Bundle.STOP_TRANSIENT);
        }
    }

    /** Starts it again if it is there. */
    public static void start(BundleContext context) throws BundleException {
        Bundle b = find(context);
        if (b != null) {
            b.start(Bundle.START_TRANSIENT);
        }
    }

    /** Waits (at most 20 s) until the bundle registers count ContextTypes (VIRGL, VIRGL2: 2; gone: 0). */
    public static boolean awaitTypes(BundleContext context, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            long n = context.getServiceReferences(org.vgpu.gpu.context.ContextType.class, null).stream()
                    .filter(r -> BSN.equals(r.getBundle().getSymbolicName())).count();
            if (n == count) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
