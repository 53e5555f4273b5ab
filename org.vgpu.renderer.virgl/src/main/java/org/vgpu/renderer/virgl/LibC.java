package org.vgpu.renderer.virgl;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/** The C library calls of this bundle (JNA direct mapping): opening a configured render node for virglrenderer's get_drm_fd. */
final class LibC {
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;

    static {
        Native.register(LibC.class, NativeLibrary.getInstance("c"));
    }

    private LibC() {
    }

    static native int open(String path, int flags);
}
