package org.vgpu.gpu.context;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One guest context of a {@link ContextType}. Called by the device's queue worker with the
 * device state locked: no method may block (work that takes time runs elsewhere and ends with
 * {@link ContextHost#signalFence}). Results are virtio-gpu response types: {@link #OK}, or one of
 * the ERR_ codes below, which the guest gets as the command's response.
 */
@ConsumerType
public interface RenderingContext {
    int OK = 0x1100;
    int ERR_UNSPEC = 0x1200;
    int ERR_OUT_OF_MEMORY = 0x1201;
    int ERR_INVALID_RESOURCE_ID = 0x1203;
    int ERR_INVALID_PARAMETER = 0x1205;
    /** From {@link #resourceCreate3d} / {@link #transfer3d}: not this context's resource, the device serves it as a 2D one. */
    int NOT_HANDLED = -1;

    /**
     * SUBMIT_3D: the command buffer, read-only, little-endian, from index 0 to its limit (all of
     * what the guest sent: the device checked it is complete). Valid only during the call.
     */
    int submit(int ringIdx, ByteBuffer commands);

    /**
     * A command of this context carried FLAG_FENCE (after it ran and succeeded): true if its
     * work is already done (the device completes it at once, in order after earlier fences of
     * the ring), false if the context will call {@link ContextHost#signalFence} with this ring
     * and fence id (or a later one of the ring) when it is. ringIdx is 0 without INFO_RING_IDX.
     */
    default boolean fence(int ringIdx, long fenceId) {
        return true;
    }

    /** CTX_ATTACH_RESOURCE of an existing resource (the device already recorded it). */
    default void attach(int resourceId) {
    }

    /** CTX_DETACH_RESOURCE, or the resource was unreferenced. */
    default void detach(int resourceId) {
    }

    /**
     * RESOURCE_CREATE_BLOB(HOST3D) in this context: the blob promised for blobId, or null if
     * there is no such promise (ERR_INVALID_PARAMETER). Looking does not redeem it:
     * {@link #hostBlobCreated} does, once the device has made the resource.
     */
    default HostBlob hostBlob(long blobId) {
        return null;
    }

    /** The device made resourceId from the promise of blobId (it is attached to this context). */
    default void hostBlobCreated(long blobId, int resourceId) {
    }

    /**
     * RESOURCE_CREATE_3D naming this context in its header: {@link #NOT_HANDLED} lets the device
     * create a 2D resource of it (as for a context without a renderer), else the response.
     */
    default int resourceCreate3d(int resourceId, int target, int format, int bind, int width, int height, int depth,
            int arraySize, int lastLevel, int nrSamples, int flags) {
        return NOT_HANDLED;
    }

    /** TRANSFER_TO_HOST_3D (toHost) or TRANSFER_FROM_HOST_3D naming this context: {@link #NOT_HANDLED} for the device's 2D path. */
    default int transfer3d(boolean toHost, int resourceId, int x, int y, int z, int width, int height, int depth, long offset,
            int level, int stride, int layerStride) {
        return NOT_HANDLED;
    }

    /** One line for the shell (vgpu:contexts), e.g. the context's own resources and promises. */
    default String describe() {
        return "";
    }

    /** CTX_DESTROY, device reset, or the type went away: release everything; pending fences complete anyway. */
    void destroy();
}
