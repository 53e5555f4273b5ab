package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;

class PlatformIT {
    @Test
    void allBundlesActive() {
        BundleContext ctx = FrameworkUtil.getBundle(PlatformIT.class).getBundleContext();
        for (Bundle b : ctx.getBundles()) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) continue;
            boolean lazy = Constants.ACTIVATION_LAZY.equals(b.getHeaders().get(Constants.BUNDLE_ACTIVATIONPOLICY));
            int expected = lazy && b.getState() == Bundle.STARTING ? Bundle.STARTING : Bundle.ACTIVE;
            assertEquals(expected, b.getState(), b.getSymbolicName());
        }
    }
}
