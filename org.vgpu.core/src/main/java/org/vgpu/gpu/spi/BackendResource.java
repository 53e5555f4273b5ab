package org.vgpu.gpu.spi;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/**
 * One resource inside a backend. The device serialises calls and validates every argument
 * (rects inside the resource, offsets inside the backing) before calling.
 */
@ConsumerType
public interface BackendResource {

    ResourceSpec spec();

    /** Host memory this resource holds (charged to the device's quota). */
    long hostBytes();

    /** Takes the guest pages as the resource's backing; replaces none (the device detaches first). */
    void attachBacking(GuestMemory memory, BackingList backing) throws BackendException;

    void detachBacking();

    /**
     * TRANSFER_TO_HOST_2D: copies rect (x, y, w, h) of the resource from the backing, where row r
     * of the rect starts at backing offset {@code offset + r * spec().stride()}. Returns bytes moved
     * (0 for a zero-copy backend).
     */
    long transferToHost(GuestMemory memory, int x, int y, int w, int h, long offset) throws GuestMemoryException;

    /**
     * Copies rect (x, y, w, h) of the resource's current pixels, in its own format, into dst:
     * row r goes to dst[dstIndex + r * dstStride ..] (absolute; dst position unchanged).
     */
    void readPixels(int x, int y, int w, int h, ByteBuffer dst, int dstIndex, int dstStride);

    /**
     * Copies all current pixels (what readPixels shows), rows packed at spec().stride(), into
     * dst[0 ..]: the source side of a migration between backends.
     */
    default void exportContents(ByteBuffer dst) {
        ResourceSpec s = spec();
        readPixels(0, 0, s.width(), s.height(), dst, 0, (int) s.stride());
    }

    /**
     * Makes src[0 ..] (rows packed at spec().stride(), as exportContents wrote them) the pixels
     * this resource shows: the target side of a migration. Called after attachBacking, if any.
     */
    void importContents(ByteBuffer src);

    /**
     * dma-buf export: the resource's pixels as a host dma-buf a display can import, or null when
     * this backend keeps pixels elsewhere (the copy backend) or has no buffer yet.
     */
    default Dmabuf dmabuf() {
        return null;
    }

    /**
     * For a {@link ResourceSpec#hostVisible()} resource: an fd (memfd) holding the pixels, rows at
     * spec().stride() from offset 0, that the transport maps into the guest (MAP_BLOB); owned by
     * the resource. -1 if this backend has none.
     */
    default int mappableFd() {
        return -1;
    }

    /**
     * The current pixels themselves as one direct buffer, rows at spec().stride() from index 0,
     * when this resource keeps them in one buffer or mapping of its own; else null. The same
     * object on every call (a display sends from it per flush without allocating or copying);
     * read it only, until destroy().
     */
    default ByteBuffer pixelMemory() {
        return null;
    }

    /** Frees host state; the resource is not used afterwards. */
    void destroy();
}
