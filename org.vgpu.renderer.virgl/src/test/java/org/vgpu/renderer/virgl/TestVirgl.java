package org.vgpu.renderer.virgl;

/**
 * The test JVM's virglrenderer (it is process-global): started once on llvmpipe, EGL surfaceless.
 * A missing library fails the test with the reason (the project's set-up installs it).
 */
final class TestVirgl {
    private static Virgl virgl;

    private TestVirgl() {
    }

    static synchronized Virgl get() {
        if (virgl == null) {
            virgl = Virgl.start(new Virgl.Options(false, null));
        }
        return virgl;
    }

    /** As a bundle stop and start: virglrenderer cleaned up, then initialised again (GL, surfaceless). */
    static synchronized Virgl restart() {
        return restart(new Virgl.Options(false, null));
    }

    /** As a bundle restarted with another configuration. */
    static synchronized Virgl restart(Virgl.Options options) {
        if (virgl != null) {
            virgl.stop();
        }
        virgl = Virgl.start(options);
        return virgl;
    }

    static VirglContextType[] types() {
        Virgl v = get();
        return new VirglContextType[] { new VirglContextType(() -> v, 1), new VirglContextType(() -> v, 2) };
    }
}
