package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

import org.vgpu.gpu.command.Header;

/**
 * Encodes every response the device sends into one preallocated buffer: the header (echoing a
 * fenced request's fence_id, ctx_id and, with INFO_RING_IDX, ring_idx) and the bodies of
 * DISPLAY_INFO, EDID, CAPSET_INFO, CAPSET, RESOURCE_UUID and MAP_INFO. One per queue worker.
 */
final class ResponseWriter {
    private final ByteBuffer out = ByteBuffer.allocate(MAX_RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer bigEndian = out.duplicate().order(ByteOrder.BIG_ENDIAN);

    /** The encoded response; its first {@link #finish} bytes are valid. */
    public ByteBuffer buffer() {
        return out;
    }

    /** The most bytes a capset may have: what the response buffer holds after the header. */
    static final int CAPSET_ROOM = MAX_RESPONSE_SIZE - HDR_SIZE;
    /** The length of the last CAPSET body. */
    private int capsetLength;

    /** Writes the header of a response of the given type and returns the response's length. */
    public int finish(int type, Header request) {
        if (request == null) {
            writeResponseHeader(out, type, 0, 0, 0, 0);
        } else {
            writeResponseHeader(out, type, request.flags(), request.fenceId(), request.ctxId(), request.ringIdx());
        }
        return type == RESP_OK_CAPSET ? HDR_SIZE + capsetLength : length(type);
    }

    /** The wire size of a response type: every error and OK_NODATA is the header alone. */
    public static int length(int type) {
        switch (type) {
            case RESP_OK_DISPLAY_INFO: return RESP_DISPLAY_INFO_SIZE;
            case RESP_OK_EDID: return RESP_EDID_SIZE;
            case RESP_OK_RESOURCE_UUID: return RESP_UUID_SIZE;
            case RESP_OK_CAPSET_INFO: return RESP_CAPSET_INFO_SIZE;
            case RESP_OK_CAPSET: return RESP_CAPSET_SIZE;
            case RESP_OK_MAP_INFO: return RESP_MAP_INFO_SIZE;
            default: return RESP_NODATA_SIZE;
        }
    }

    /** Whether type is a response the device sends. */
    public static boolean isResponse(int type) {
        return type >= RESP_OK_NODATA && type <= RESP_OK_MAP_INFO || type >= RESP_ERR_UNSPEC && type <= RESP_ERR_INVALID_PARAMETER;
    }

    /** One of DISPLAY_INFO's 16 pmodes: rect {0, 0, width, height}, enabled, flags 0. */
    public int displayMode(int index, int width, int height, boolean enabled) {
        int o = HDR_SIZE + index * DISPLAY_ONE_SIZE;
        out.putInt(o, 0).putInt(o + 4, 0).putInt(o + 8, width).putInt(o + 12, height).putInt(o + 16, enabled ? 1 : 0).putInt(o + 20, 0);
        return RESP_OK_DISPLAY_INFO;
    }

    /** GET_EDID: {le32 size, le32 padding, u8 edid[1024]} for a scanout's preferred mode. */
    public int edid(int width, int height, int serial) {
        out.putInt(HDR_SIZE, Edid.SIZE);
        out.putInt(HDR_SIZE + 4, 0);
        for (int i = HDR_SIZE + 8; i < RESP_EDID_SIZE; i += 8) {
            out.putLong(i, 0);
        }
        Edid.write(out, HDR_SIZE + 8, width, height, serial);
        return RESP_OK_EDID;
    }

    /** GET_EDID with the display's own EDID (checked by {@link Edid#isValid}). */
    public int edid(byte[] edid) {
        out.putInt(HDR_SIZE, edid.length);
        out.putInt(HDR_SIZE + 4, 0);
        for (int i = HDR_SIZE + 8; i < RESP_EDID_SIZE; i += 8) {
            out.putLong(i, 0);
        }
        out.put(HDR_SIZE + 8, edid);
        return RESP_OK_EDID;
    }

    /** GET_CAPSET_INFO: capset_id, capset_max_version, capset_max_size, padding. */
    public int capsetInfo(int capsetId, int maxVersion, int maxSize) {
        out.putInt(HDR_SIZE, capsetId).putInt(HDR_SIZE + 4, maxVersion).putInt(HDR_SIZE + 8, maxSize).putInt(HDR_SIZE + 12, 0);
        return RESP_OK_CAPSET_INFO;
    }

    /** GET_CAPSET: a context type's capset of a version, size bytes (at most {@link #CAPSET_ROOM}). */
    int capset(org.vgpu.gpu.context.ContextType type, int version, int size, org.vgpu.gpu.context.DeviceSettings device) {
        ByteBuffer body = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        body.clear().position(HDR_SIZE).limit(HDR_SIZE + size);
        for (int i = HDR_SIZE; i < HDR_SIZE + size; i++) {
            out.put(i, (byte) 0);
        }
        type.writeCapset(version, body, device);
        capsetLength = size;
        return RESP_OK_CAPSET;
    }

    /** RESOURCE_UUID, in RFC 4122 (big-endian) byte order. */
    public int uuid(UUID uuid) {
        bigEndian.putLong(HDR_SIZE, uuid.getMostSignificantBits());
        bigEndian.putLong(HDR_SIZE + 8, uuid.getLeastSignificantBits());
        return RESP_OK_RESOURCE_UUID;
    }

    /** MAP_INFO: map_info (cache type), padding. */
    public int mapInfo(int cacheType) {
        out.putInt(HDR_SIZE, cacheType).putInt(HDR_SIZE + 4, 0);
        return RESP_OK_MAP_INFO;
    }
}
