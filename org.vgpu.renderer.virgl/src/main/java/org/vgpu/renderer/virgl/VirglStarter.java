package org.vgpu.renderer.virgl;

import java.util.function.Supplier;

/**
 * The process's virglrenderer, loaded and started on first use instead of at bundle start: binding
 * the library, EGL and Mesa's llvmpipe take 0.2 s and 70 MiB of mapped libraries, which a platform
 * that no VMM has asked yet (nothing read a device's features) does not need. One start: a failure
 * is kept and given to every later caller, so a host without EGL is not probed once per request.
 */
final class VirglStarter implements Supplier<Virgl> {
    private final Virgl.Options options;
    private Virgl virgl;
    private RuntimeException failure;
    private boolean stopped;

    VirglStarter(Virgl.Options options) {
        this.options = options;
    }

    /** The started renderer; throws IllegalStateException with the reason if it cannot start or was stopped. */
    @Override
    public synchronized Virgl get() {
        if (stopped) {
            throw new IllegalStateException("the virgl renderer stopped");
        }
        if (virgl == null && failure == null) {
            try {
                virgl = Virgl.start(options);
                VirglComponent.LOG.log(System.Logger.Level.INFO, "virglrenderer ready ({0}): capsets {1}", virgl.mode(),
                        (virgl.capsetOf(1) != null ? 1 : 0) + (virgl.capsetOf(2) != null ? 1 : 0));
            } catch (RuntimeException e) {
                failure = e;
                VirglComponent.LOG.log(System.Logger.Level.WARNING, "virglrenderer did not start: {0}: devices stay 2D", e.getMessage());
            }
        }
        if (failure != null) {
            throw new IllegalStateException("virglrenderer did not start: " + failure.getMessage(), failure);
        }
        return virgl;
    }

    /** Whether it has been started (tests). */
    synchronized boolean started() {
        return virgl != null;
    }

    /** Cleans virglrenderer up if it was started; later calls of {@link #get} fail. */
    synchronized void stop() {
        stopped = true;
        if (virgl != null) {
            virgl.stop();
        }
    }
}
