package org.vgpu.gpu.context;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the device gives one rendering context. The resource methods are for use while the device
 * calls the context (its state is locked then); {@link #writeGuest} and {@link #signalFence} may be
 * called from any thread.
 */
@ProviderType
public interface ContextHost extends DeviceSettings {

    /** The context id the guest chose (CTX_CREATE's ctx_id). */
    int contextId();

    /** The device's name, for logs. */
    String deviceName();

    /** Whether the resource is attached to this context (CTX_ATTACH_RESOURCE, or a HOST3D blob it created). */
    boolean attached(int resourceId);

    /**
     * Writes length bytes of src (from its index 0, position ignored) at offset into the guest
     * pages of a GUEST blob attached to this context (e.g. a query ring). Every page is checked;
     * false, with nothing or a prefix written, if the resource is not attached, not a GUEST blob
     * or too small. From any thread: it takes the device state's lock (so a caller must not hold a
     * lock of its own that the device's calls into the context take).
     */
    boolean writeGuest(int resourceId, long offset, ByteBuffer src, int length);

    /**
     * A new host fd (close-on-exec, the caller closes it) of the memory of a resource attached to
     * this context, for passing to another process: a HOST3D blob's memfd, or the dma-buf of a
     * blob whose backend exports one; -1 if the resource is not attached or has no such fd.
     */
    int resourceFd(int resourceId);

    /**
     * The context finished the work of a fence it left pending ({@link RenderingContext#fence}
     * returned false): the device completes the fenced command and every earlier one of that
     * ring. From any thread, never blocks; a signal after the context was destroyed is ignored.
     */
    void signalFence(int ringIdx, long fenceId);

    /**
     * The renderer the device opened from this context's type ({@link ContextType#openRenderer}),
     * or null: how a context reaches the 3D resources it draws with.
     *
     * @since 1.1
     */
    default ResourceRenderer renderer() {
        return null;
    }
}
