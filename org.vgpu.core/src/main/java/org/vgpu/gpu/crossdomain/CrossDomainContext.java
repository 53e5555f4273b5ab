package org.vgpu.gpu.crossdomain;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.HostBlob;
import org.vgpu.gpu.context.RenderingContext;
import org.vgpu.gpu.spi.PixelFormat;

/**
 * One cross-domain context: INIT names the query ring (a GUEST blob attached to the context), and
 * GET_IMAGE_REQUIREMENTS answers stride/offset/size and a blob_id into that ring, which a later
 * RESOURCE_CREATE_BLOB(HOST3D) in the same context redeems. Every number comes from the guest and
 * is checked here. Its commands are done when submit returns: fences complete at once.
 */
final class CrossDomainContext implements RenderingContext {
    /** Image requirements a context may hold before creating their blobs: bounds host memory per guest. */
    static final int MAX_PENDING_IMAGES = 256;
    static final int MAX_IMAGE_SIDE = 16384;

    private final ContextHost host;
    private final Map<Long, HostBlob> images = new HashMap<>();
    private final ByteBuffer answer = ByteBuffer.allocate(CROSS_DOMAIN_IMAGE_REQUIREMENTS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private int queryRing;
    private long nextBlobId = 1;

    CrossDomainContext(ContextHost host) {
        this.host = host;
    }

    /** The cross-domain commands in the buffer, run in order; the first error ends it. */
    @Override
    public int submit(int ringIdx, ByteBuffer commands) {
        int size = commands.limit();
        int at = 0;
        while (at < size) {
            if (size - at < CROSS_DOMAIN_HDR_SIZE) {
                return ERR_INVALID_PARAMETER;
            }
            int cmd = commands.get(at) & 0xff;
            int cmdSize = commands.getShort(at + 2) & 0xffff;
            if (cmdSize < CROSS_DOMAIN_HDR_SIZE || cmdSize > size - at) {
                return ERR_INVALID_PARAMETER; // a zero size would loop forever; a large one reads past the buffer
            }
            int result = switch (cmd) {
                case CROSS_DOMAIN_CMD_INIT -> cmdSize < CROSS_DOMAIN_INIT_SIZE ? ERR_INVALID_PARAMETER
                        : init(commands.getInt(at + CROSS_DOMAIN_HDR_SIZE));
                case CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS -> cmdSize < CROSS_DOMAIN_GET_IMAGE_REQUIREMENTS_SIZE ? ERR_INVALID_PARAMETER
                        : imageRequirements(commands.getInt(at + 8) & 0xffff_ffffL, commands.getInt(at + 12) & 0xffff_ffffL,
                                commands.getInt(at + 16));
                default -> ERR_INVALID_PARAMETER; // channels (POLL, SEND, RECEIVE, READ, WRITE) are not offered
            };
            if (result != OK) {
                return result;
            }
            at += cmdSize;
        }
        return OK;
    }

    private int init(int queryRingId) {
        if (!host.attached(queryRingId)) {
            return ERR_INVALID_RESOURCE_ID; // the ring must be the context's own resource
        }
        queryRing = queryRingId;
        return OK;
    }

    private int imageRequirements(long width, long height, int drmFormat) {
        if (queryRing == 0) {
            return ERR_INVALID_PARAMETER; // no INIT yet
        }
        PixelFormat format = PixelFormat.ofDrmFourcc(drmFormat);
        if (format == null || width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
            return ERR_INVALID_PARAMETER;
        }
        if (images.size() >= MAX_PENDING_IMAGES) {
            return ERR_OUT_OF_MEMORY;
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
        if (!host.writeGuest(queryRing, 0, answer, CROSS_DOMAIN_IMAGE_REQUIREMENTS_SIZE)) {
            return ERR_INVALID_PARAMETER;
        }
        images.put(blobId & 0xffffffffL, new HostBlob(format.code(), (int) width, (int) height, size));
        return OK;
    }

    /** RESOURCE_CREATE_BLOB(HOST3D) redeems a blob_id of this context once. */
    @Override
    public HostBlob hostBlob(long blobId) {
        return images.get(blobId);
    }

    @Override
    public void hostBlobCreated(long blobId, int resourceId) {
        images.remove(blobId);
    }

    @Override
    public void detach(int resourceId) {
        if (queryRing == resourceId) {
            queryRing = 0;
        }
    }

    @Override
    public String describe() {
        return "query ring " + (queryRing == 0 ? "-" : Integer.toUnsignedString(queryRing)) + ", " + images.size() + " pending images";
    }

    @Override
    public void destroy() {
        images.clear();
        queryRing = 0;
    }
}
