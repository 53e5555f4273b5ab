package org.vgpu.renderer.virgl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The configuration (metatype: gles, render.node): GLES renders the same pixels, and a render
 * node that is not there falls back to EGL surfaceless (this machine has no /dev/dri).
 */
@Timeout(60)
class VirglOptionsTest {

    @Test
    void glesWithAMissingRenderNodeRendersSurfaceless() throws Exception {
        byte[] glCaps = TestVirgl.get().capsetOf(2).bytes();
        Virgl gles = TestVirgl.restart(new Virgl.Options(true, "/dev/dri/renderD-missing"));
        try {
            assertEquals("GLES, EGL surfaceless", gles.mode());
            assertFalse(Arrays.equals(glCaps, gles.capsetOf(2).bytes()), "virglrenderer reports GLES's capabilities, not GL's");
            VirglRenderingTest t = new VirglRenderingTest();
            t.start();
            try {
                t.aClearRendersAndComesBackExactlyIntoGuestMemory();
            } finally {
                t.stop();
            }
        } finally {
            TestVirgl.restart(); // back to desktop GL for the other tests
        }
    }
}
