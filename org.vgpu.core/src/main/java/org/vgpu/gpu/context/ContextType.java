package org.vgpu.gpu.context;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A kind of rendering context, registered as a service. A GPU device lists the capsets of the
 * types present when the driver reads its features (one per capset id, GET_CAPSET_INFO in that
 * order) and keeps that list until the next device reset: a type that appears later is offered
 * after the next reset, one that goes away destroys its contexts at once.
 * <p>
 * Every method is called by the device's queue worker with the device state locked; none may block.
 */
@ConsumerType
public interface ContextType {

    /** Short name for the shell and logs, e.g. "cross-domain". */
    String name();

    /** The capset id (1..255: context_init's low byte names it), e.g. 5 for cross-domain. */
    int capsetId();

    /** The highest capset version (GET_CAPSET_INFO capset_max_version). */
    int maxVersion();

    /** The capset's size in bytes for a version 0..maxVersion (the largest is capset_max_size). */
    int capsetSize(int version);

    /** Writes the capset of a version (0..maxVersion) into dst from its position, exactly capsetSize(version) bytes. */
    void writeCapset(int version, ByteBuffer dst);

    /**
     * Writes the capset of a version as {@link #writeCapset(int, ByteBuffer)} does, for a device
     * whose settings may change what it says (e.g. which channels it offers).
     */
    default void writeCapset(int version, ByteBuffer dst, DeviceSettings device) {
        writeCapset(version, dst);
    }

    /**
     * CTX_CREATE with this capset: a new context, or null to refuse it (the guest gets
     * ERR_INVALID_PARAMETER). The host stays valid until {@link RenderingContext#destroy}.
     */
    RenderingContext create(ContextHost host, String debugName);

    /**
     * Whether this type renders the device's 3D resources ({@link #openRenderer}): then the device
     * offers its capset only while it holds a renderer of it.
     *
     * @since 1.1
     */
    default boolean rendersResources() {
        return false;
    }

    /**
     * For a type that {@link #rendersResources}: the renderer of deviceName's 3D resources, or
     * null if it cannot serve that device now (e.g. its library serves another device). The device
     * opens it when it lists its capsets and closes it at reset; types that share one renderer may
     * return the same object for the same device.
     *
     * @since 1.1
     */
    default ResourceRenderer openRenderer(String deviceName) {
        return null;
    }
}
