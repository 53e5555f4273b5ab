package org.vgpu.renderer.virgl;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * libvirglrenderer.so.1 (0.10.4 and later), JNA direct mapping: every native call of the
 * library is here. Only the {@link RenderThread} calls these (virglrenderer keeps its GL context
 * current on the thread that initialised it). Struct layouts are in {@link VirglStructs}.
 */
final class VirglLibrary {
    static final String SONAME = "libvirglrenderer.so.1";

    static final int USE_EGL = 1;
    static final int USE_SURFACELESS = 1 << 3;
    static final int USE_GLES = 1 << 4;
    /** struct virgl_renderer_callbacks version with write_context_fence (0.10.x has up to get_server_fd). */
    static final int CALLBACKS_VERSION = 3;

    private static volatile String loadError;
    private static volatile boolean loaded;

    private VirglLibrary() {
    }

    /** Binds the natives once; null if the library is there, else why not. */
    static synchronized String load() {
        if (!loaded && loadError == null) {
            try {
                Native.register(VirglLibrary.class, NativeLibrary.getInstance(SONAME));
                loaded = true;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                loadError = SONAME + " cannot be loaded (install Debian's libvirglrenderer1): " + e.getMessage();
            }
        }
        return loadError;
    }

    interface WriteFence extends Callback {
        void invoke(Pointer cookie, int fence);
    }

    interface WriteContextFence extends Callback {
        void invoke(Pointer cookie, int ctxId, int ringIdx, long fenceId);
    }

    interface GetDrmFd extends Callback {
        int invoke(Pointer cookie);
    }

    static native int virgl_renderer_init(Pointer cookie, int flags, Pointer callbacks);

    static native void virgl_renderer_cleanup(Pointer cookie);

    static native void virgl_renderer_poll();

    static native void virgl_renderer_get_cap_set(int set, int[] maxVersion, int[] maxSize);

    static native void virgl_renderer_fill_caps(int set, int version, Pointer caps);

    static native int virgl_renderer_context_create_with_flags(int ctxId, int flags, int nameLength, Pointer name);

    static native void virgl_renderer_context_destroy(int ctxId);

    static native int virgl_renderer_resource_create(Pointer args, Pointer iov, int iovCount);

    static native void virgl_renderer_resource_unref(int resourceId);

    /** virglrenderer keeps iov (the array and the ranges) until detach_iov or unref. */
    static native int virgl_renderer_resource_attach_iov(int resourceId, Pointer iov, int iovCount);

    static native void virgl_renderer_resource_detach_iov(int resourceId, Pointer iovOut, Pointer countOut);

    static native void virgl_renderer_ctx_attach_resource(int ctxId, int resourceId);

    static native void virgl_renderer_ctx_detach_resource(int ctxId, int resourceId);

    static native int virgl_renderer_submit_cmd(Pointer buffer, int ctxId, int dwords);

    static native int virgl_renderer_transfer_write_iov(int resourceId, int ctxId, int level, int stride, int layerStride, Pointer box,
            long offset, Pointer iov, int iovCount);

    static native int virgl_renderer_transfer_read_iov(int resourceId, int ctxId, int level, int stride, int layerStride, Pointer box,
            long offset, Pointer iov, int iovCount);

    static native int virgl_renderer_context_create_fence(int ctxId, int flags, int ringIdx, long fenceId);
}
