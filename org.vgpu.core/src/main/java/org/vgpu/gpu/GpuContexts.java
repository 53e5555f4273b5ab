package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.vgpu.gpu.command.Bytes;
import org.vgpu.gpu.command.CtxCreate;
import org.vgpu.gpu.spi.PixelFormat;

/**
 * The device's rendering contexts (CTX_CREATE .. CTX_DETACH_RESOURCE) and what SUBMIT_3D asks of
 * them. Only the cross-domain context type (capset 5) exists, and of its commands only the
 * buffer-allocation part: INIT names the query ring (a GUEST blob attached to the context), and
 * GET_IMAGE_REQUIREMENTS answers stride/offset/size and a blob_id into that ring, which a later
 * RESOURCE_CREATE_BLOB(HOST3D) in the same context redeems. Wayland channels are not offered
 * (supported_channels = 0). Every number comes from the guest and is checked here.
 */
final class GpuContexts {
    static final int MAX_CONTEXTS = 64;
    /** Image requirements a context may hold before creating their blobs: bounds host memory per guest. */
    static final int MAX_PENDING_IMAGES = 256;
    static final int MAX_IMAGE_SIDE = 16384;

    /** Writes bytes to offset 0 of a context's query ring resource; false if it cannot hold them. */
    interface RingWriter {
        boolean write(int resourceId, ByteBuffer src, int length);
    }

    /** What GET_IMAGE_REQUIREMENTS promised for a blob_id. */
    record Image(int format, int width, int height, long stride, long size) {
    }

    private static final class Context {
        final String name;
        /** Capset 5. Otherwise the default context Linux makes for each DRM file with VIRGL on: resources attach, nothing runs. */
        final boolean crossDomain;
        final Set<Integer> resources = new HashSet<>();
        int queryRing;
        final Map<Long, Image> images = new HashMap<>();

        Context(String name, boolean crossDomain) {
            this.name = name;
            this.crossDomain = crossDomain;
        }
    }

    /** CrossDomainCapabilities: version, supported_channels, supports_dmabuf, supports_external_gpu_memory. */
    private static final byte[] CAPABILITIES = {CROSS_DOMAIN_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private final IntMap<Context> contexts = new IntMap<>();
    private final ByteBuffer answer = ByteBuffer.allocate(CROSS_DOMAIN_IMAGE_REQUIREMENTS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private long nextBlobId = 1;

    /**
     * CTX_CREATE: ctx_id from the header, context_init's low byte names the capset (only with
     * CONTEXT_INIT negotiated; without it a context is a default one).
     */
    int create(int ctxId, CtxCreate c, boolean contextInitAcked) {
        if (ctxId == 0 || contexts.get(ctxId) != null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        int capset = (int) (c.contextInit() & CONTEXT_INIT_CAPSET_MASK);
        if ((capset != CAPSET_CROSS_DOMAIN && capset != 0) || (capset != 0 && !contextInitAcked) || c.debugName() == null) {
            return RESP_ERR_INVALID_PARAMETER; // no virgl renderer: cross-domain contexts, and default ones that run nothing
        }
        if (contexts.size() >= MAX_CONTEXTS) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        contexts.put(ctxId, new Context(c.debugName(), capset == CAPSET_CROSS_DOMAIN));
        return RESP_OK_NODATA;
    }

    /** GET_CAPSET_INFO: index 0 is the cross-domain capset. */
    static int capsetInfo(long index, ResponseWriter out) {
        return index != 0 ? RESP_ERR_INVALID_PARAMETER : out.capsetInfo(CAPSET_CROSS_DOMAIN, 0, CROSS_DOMAIN_CAPABILITIES_SIZE);
    }

    /** GET_CAPSET: the cross-domain capabilities; no channels (no Wayland proxy), no dma-buf import. */
    static int capset(long capsetId, long version, ResponseWriter out) {
        return capsetId != CAPSET_CROSS_DOMAIN || version != 0 ? RESP_ERR_INVALID_PARAMETER : out.capset(CAPABILITIES);
    }

    int destroy(int ctxId) {
        return contexts.remove(ctxId) == null ? RESP_ERR_INVALID_CONTEXT_ID : RESP_OK_NODATA;
    }

    int attach(int ctxId, int resourceId, boolean resourceExists) {
        Context c = contexts.get(ctxId);
        if (c == null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        if (!resourceExists) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        c.resources.add(resourceId);
        return RESP_OK_NODATA;
    }

    int detach(int ctxId, int resourceId) {
        Context c = contexts.get(ctxId);
        if (c == null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        if (!c.resources.remove(resourceId)) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (c.queryRing == resourceId) {
            c.queryRing = 0;
        }
        return RESP_OK_NODATA;
    }

    boolean exists(int ctxId) {
        return contexts.get(ctxId) != null;
    }

    /** SUBMIT_3D: the cross-domain commands in the buffer, run in order; the first error ends it. */
    int submit(int ctxId, Bytes commands, RingWriter ring) {
        Context c = contexts.get(ctxId);
        if (c == null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        if (!c.crossDomain) {
            return RESP_ERR_INVALID_PARAMETER; // a default context has no renderer to run commands
        }
        int size = commands.length();
        int at = 0;
        while (at < size) {
            if (size - at < CROSS_DOMAIN_HDR_SIZE) {
                return RESP_ERR_INVALID_PARAMETER;
            }
            int cmd = commands.u8(at);
            int cmdSize = commands.u16(at + 2);
            if (cmdSize < CROSS_DOMAIN_HDR_SIZE || cmdSize > size - at) {
                return RESP_ERR_INVALID_PARAMETER; // a zero size would loop forever; a large one reads past the buffer
            }
            int result = switch (cmd) {
                case CROSS_DOMAIN_CMD_INIT -> cmdSize < CROSS_DOMAIN_INIT_SIZE ? RESP_ERR_INVALID_PARAMETER
                        : init(c, commands.i32(at + CROSS_DOMAIN_HDR_SIZE));
                case CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS -> cmdSize < CROSS_DOMAIN_GET_IMAGE_REQUIREMENTS_SIZE ? RESP_ERR_INVALID_PARAMETER
                        : imageRequirements(c, commands.u32(at + 8), commands.u32(at + 12), commands.i32(at + 16), ring);
                default -> RESP_ERR_INVALID_PARAMETER; // channels (POLL, SEND, RECEIVE, READ, WRITE) are not offered
            };
            if (result != RESP_OK_NODATA) {
                return result;
            }
            at += cmdSize;
        }
        return RESP_OK_NODATA;
    }

    private static int init(Context c, int queryRingId) {
        if (!c.resources.contains(queryRingId)) {
            return RESP_ERR_INVALID_RESOURCE_ID; // the ring must be the context's own resource
        }
        c.queryRing = queryRingId;
        return RESP_OK_NODATA;
    }

    private int imageRequirements(Context c, long width, long height, int drmFormat, RingWriter ring) {
        if (c.queryRing == 0) {
            return RESP_ERR_INVALID_PARAMETER; // no INIT yet
        }
        PixelFormat format = PixelFormat.ofDrmFourcc(drmFormat);
        if (format == null || width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (c.images.size() >= MAX_PENDING_IMAGES) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        long stride = width * BYTES_PER_PIXEL; // linear, unpadded: the backends' row layout
        long size = blobAligned(stride * height);
        long blobId = nextBlobId++;
        for (int i = 0; i < CROSS_DOMAIN_IMAGE_REQUIREMENTS_SIZE; i += 8) {
            answer.putLong(i, 0);
        }
        answer.putInt(0, (int) stride);     // strides[0]; planes 1..3 unused
        answer.putInt(16, 0);               // offsets[0]
        answer.putLong(32, 0);              // modifier: DRM_FORMAT_MOD_LINEAR
        answer.putLong(40, size);
        answer.putInt(48, (int) blobId);
        answer.putInt(52, MAP_CACHE_CACHED);
        answer.putInt(56, -1);              // memory_idx: no Vulkan memory type
        answer.putInt(60, -1);              // physical_device_idx
        if (!ring.write(c.queryRing, answer, CROSS_DOMAIN_IMAGE_REQUIREMENTS_SIZE)) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        c.images.put(blobId & 0xffffffffL, new Image(format.code(), (int) width, (int) height, stride, size));
        return RESP_OK_NODATA;
    }

    /** RESOURCE_CREATE_BLOB(HOST3D) redeems a blob_id of its context once; null if there is no such promise. */
    Image takeImage(int ctxId, long blobId) {
        Context c = contexts.get(ctxId);
        return c == null ? null : c.images.remove(blobId);
    }

    /** Puts a taken image back (the blob could not be created), so the guest may retry. */
    void returnImage(int ctxId, long blobId, Image image) {
        Context c = contexts.get(ctxId);
        if (c != null) {
            c.images.put(blobId, image);
        }
    }

    /** The resource was unreferenced: no context keeps it. */
    void resourceGone(int resourceId) {
        for (Context c : contexts.values()) {
            c.resources.remove(resourceId);
            if (c.queryRing == resourceId) {
                c.queryRing = 0;
            }
        }
    }

    int count() {
        return contexts.size();
    }

    /** ctx id -> "name: N resources, query ring R, P pending images" for the shell. */
    Map<Integer, String> describe() {
        Map<Integer, String> out = new java.util.TreeMap<>();
        contexts.forEach((id, c) -> out.put(id, (c.crossDomain ? "cross-domain '" : "default (no renderer) '") + c.name + "': " + c.resources.size() + " resources, query ring "
                + (c.queryRing == 0 ? "-" : Integer.toUnsignedString(c.queryRing)) + ", " + c.images.size() + " pending images"));
        return out;
    }

    void clear() {
        contexts.clear();
    }
}
