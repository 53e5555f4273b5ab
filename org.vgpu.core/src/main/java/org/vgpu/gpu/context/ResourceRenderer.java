package org.vgpu.gpu.context;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;
import org.vgpu.gpu.spi.BackingList;

/**
 * The 3D resources of one device that a {@link ContextType} renders (RESOURCE_CREATE_3D, virgl):
 * they belong to the device, not to a context (the guest attaches them to contexts, and they
 * outlive the context that drew them). The device keeps the resource table (ids, quota, guest
 * backing, scanouts) and calls this for what only the renderer can do. Called by the device's
 * queue worker with the device state locked; results are virtio-gpu response types as in
 * {@link RenderingContext}.
 */
@ConsumerType
public interface ResourceRenderer {

    /**
     * The host bytes resource r will take (charged to the device's quota before {@link #create}),
     * or -1 if this renderer cannot make such a resource (the guest gets ERR_INVALID_PARAMETER).
     */
    long hostBytes(Resource3d r);

    /** Makes resource r (its id is new on this device, its bytes are charged): OK or an error response. */
    int create(Resource3d r);

    /**
     * TRANSFER_TO_HOST_3D (toHost) or TRANSFER_FROM_HOST_3D between the resource and its guest
     * backing. contextId: the command's context (0, or a live context of this device); backing:
     * the resource's guest pages, every entry checked to lie in guest memory when attached
     * (check again: memory may have changed), or null if it has none.
     */
    int transfer(int contextId, boolean toHost, Resource3d resource, int x, int y, int z, int width, int height, int depth, long offset,
            int level, int stride, int layerStride, BackingList backing);

    /**
     * The resource's level 0, layer 0 image as the renderer holds it now, 4 bytes per pixel (the
     * device asks only for a 2D resource of a virtio-gpu format), rows packed at width * 4, into
     * dst from index 0 (a direct buffer of at least width * height * 4 bytes): for scanouts, the
     * cursor and screenshots. False if it cannot.
     */
    boolean readPixels(Resource3d resource, ByteBuffer dst);

    /**
     * RESOURCE_ATTACH_BACKING (backing: the checked pages) or RESOURCE_DETACH_BACKING (null) of one
     * of its resources. A renderer that hands the pages' host addresses to native code beyond one
     * call (virglrenderer's attach_iov, which command streams use for staging transfers) must take
     * them again when the memory's {@link org.vgpu.virtio.memory.GuestMemory#generation} has
     * changed, before the next call that may use them. Since 1.2.
     */
    default void backingChanged(Resource3d resource, BackingList backing) {
    }

    /** RESOURCE_UNREF: the resource is gone (no context has it attached any more). */
    void unref(int resourceId);

    /** The device reset or stopped using this renderer: every resource of the device goes. */
    void close();
}
