package org.vgpu.gpu.protocol;

import java.nio.ByteBuffer;

/**
 * virtio-gpu wire format (VIRTIO 1.4 section 5.7, linux/virtio_gpu.h): every number the device
 * puts on or takes off the wire, plus the struct sizes and field offsets the decoder uses.
 * All multi-byte fields are little-endian; buffers handed to the helpers must be LITTLE_ENDIAN.
 */
public final class Protocol {
    private Protocol() {
    }

    // Device identity and queues.
    public static final int DEVICE_ID = 16;
    public static final int CONTROL_QUEUE = 0;
    public static final int CURSOR_QUEUE = 1;
    public static final int MAX_SCANOUTS = 16;

    // Feature bits.
    public static final int F_VIRGL = 0;
    public static final int F_EDID = 1;
    public static final int F_RESOURCE_UUID = 2;
    public static final int F_RESOURCE_BLOB = 3;
    public static final int F_CONTEXT_INIT = 4;
    public static final int F_BLOB_ALIGNMENT = 5;
    public static final int F_RING_INDIRECT_DESC = 28;
    public static final int F_RING_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;

    // Config space: le32 events_read, events_clear, num_scanouts, num_capsets.
    public static final int CONFIG_EVENTS_READ = 0;
    public static final int CONFIG_EVENTS_CLEAR = 4;
    public static final int CONFIG_NUM_SCANOUTS = 8;
    public static final int CONFIG_NUM_CAPSETS = 12;
    public static final int CONFIG_BLOB_ALIGNMENT = 16;
    /** events_read, events_clear, num_scanouts, num_capsets, blob_alignment (VIRTIO 1.4, with BLOB_ALIGNMENT). */
    public static final int CONFIG_SIZE = 20;
    /** blob_alignment: the host page size, so blob offsets and sizes map to whole pages. */
    public static final int BLOB_ALIGNMENT = 4096;
    public static final int EVENT_DISPLAY = 1;

    // 2D commands.
    public static final int CMD_GET_DISPLAY_INFO = 0x100;
    public static final int CMD_RESOURCE_CREATE_2D = 0x101;
    public static final int CMD_RESOURCE_UNREF = 0x102;
    public static final int CMD_SET_SCANOUT = 0x103;
    public static final int CMD_RESOURCE_FLUSH = 0x104;
    public static final int CMD_TRANSFER_TO_HOST_2D = 0x105;
    public static final int CMD_RESOURCE_ATTACH_BACKING = 0x106;
    public static final int CMD_RESOURCE_DETACH_BACKING = 0x107;
    public static final int CMD_GET_CAPSET_INFO = 0x108;
    public static final int CMD_GET_CAPSET = 0x109;
    public static final int CMD_GET_EDID = 0x10a;
    public static final int CMD_RESOURCE_ASSIGN_UUID = 0x10b;
    public static final int CMD_RESOURCE_CREATE_BLOB = 0x10c;
    public static final int CMD_SET_SCANOUT_BLOB = 0x10d;
    // 3D / context commands (offered with VIRGL + CONTEXT_INIT while the device offers a context type).
    public static final int CMD_CTX_CREATE = 0x200;
    public static final int CMD_CTX_DESTROY = 0x201;
    public static final int CMD_CTX_ATTACH_RESOURCE = 0x202;
    public static final int CMD_CTX_DETACH_RESOURCE = 0x203;
    public static final int CMD_RESOURCE_CREATE_3D = 0x204;
    public static final int CMD_TRANSFER_TO_HOST_3D = 0x205;
    public static final int CMD_TRANSFER_FROM_HOST_3D = 0x206;
    public static final int CMD_SUBMIT_3D = 0x207;
    public static final int CMD_RESOURCE_MAP_BLOB = 0x208;
    public static final int CMD_RESOURCE_UNMAP_BLOB = 0x209;
    // Cursor commands.
    public static final int CMD_UPDATE_CURSOR = 0x300;
    public static final int CMD_MOVE_CURSOR = 0x301;

    // Responses.
    public static final int RESP_OK_NODATA = 0x1100;
    public static final int RESP_OK_DISPLAY_INFO = 0x1101;
    public static final int RESP_OK_CAPSET_INFO = 0x1102;
    public static final int RESP_OK_CAPSET = 0x1103;
    public static final int RESP_OK_EDID = 0x1104;
    public static final int RESP_OK_RESOURCE_UUID = 0x1105;
    public static final int RESP_OK_MAP_INFO = 0x1106;
    public static final int RESP_ERR_UNSPEC = 0x1200;
    public static final int RESP_ERR_OUT_OF_MEMORY = 0x1201;
    public static final int RESP_ERR_INVALID_SCANOUT_ID = 0x1202;
    public static final int RESP_ERR_INVALID_RESOURCE_ID = 0x1203;
    public static final int RESP_ERR_INVALID_CONTEXT_ID = 0x1204;
    public static final int RESP_ERR_INVALID_PARAMETER = 0x1205;

    // Header flags.
    public static final int FLAG_FENCE = 1;
    public static final int FLAG_INFO_RING_IDX = 2;

    // Formats (the name is the byte order in memory).
    public static final int FORMAT_B8G8R8A8 = 1;
    public static final int FORMAT_B8G8R8X8 = 2;
    public static final int FORMAT_A8R8G8B8 = 3;
    public static final int FORMAT_X8R8G8B8 = 4;
    public static final int FORMAT_R8G8B8A8 = 67;
    public static final int FORMAT_X8B8G8R8 = 68;
    public static final int FORMAT_A8B8G8R8 = 121;
    public static final int FORMAT_R8G8B8X8 = 134;
    public static final int BYTES_PER_PIXEL = 4;

    // Limits.
    public static final int MAX_BACKING_ENTRIES = 16384;
    public static final int BLOB_MEM_GUEST = 1;
    public static final int BLOB_MEM_HOST3D = 2;
    public static final int BLOB_MEM_HOST3D_GUEST = 3;
    public static final int BLOB_FLAG_USE_MAPPABLE = 1;
    public static final int BLOB_FLAG_USE_SHAREABLE = 2;
    public static final int BLOB_FLAG_USE_CROSS_DEVICE = 4;
    public static final int CURSOR_SIZE = 64;
    public static final int EDID_BLOB_SIZE = 1024;

    // Contexts and capsets.
    public static final int CAPSET_VIRGL = 1;
    public static final int CAPSET_VIRGL2 = 2;
    public static final int CAPSET_CROSS_DOMAIN = 5;
    /** context_init: the low 8 bits name the capset the context speaks. */
    public static final int CONTEXT_INIT_CAPSET_MASK = 0xff;
    public static final int CTX_DEBUG_NAME_MAX = 64;
    /** Shared memory region id of the host-visible window MAP_BLOB maps into. */
    public static final int SHM_HOST_VISIBLE = 1;
    public static final int MAP_CACHE_CACHED = 1;
    /** PIPE_TEXTURE_2D: the only RESOURCE_CREATE_3D target served (as a 2D resource). */
    public static final int PIPE_TEXTURE_2D = 2;

    // The cross-domain context (crosvm rutabaga cross_domain_protocol): commands in SUBMIT_3D.
    public static final int CROSS_DOMAIN_CMD_INIT = 1;
    public static final int CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS = 2;
    /** CrossDomainHeader: u8 cmd, u8 ring_idx, le16 cmd_size, le32 pad. */
    public static final int CROSS_DOMAIN_HDR_SIZE = 8;
    /** CrossDomainInit: header, query_ring_id, channel_ring_id, channel_type. */
    public static final int CROSS_DOMAIN_INIT_SIZE = CROSS_DOMAIN_HDR_SIZE + 12;
    /** CrossDomainGetImageRequirements: header, width, height, drm_format, flags. */
    public static final int CROSS_DOMAIN_GET_IMAGE_REQUIREMENTS_SIZE = CROSS_DOMAIN_HDR_SIZE + 16;
    /** CrossDomainImageRequirements: strides[4], offsets[4], le64 modifier, le64 size, blob_id, map_info, memory_idx, physical_device_idx. */
    public static final int CROSS_DOMAIN_IMAGE_REQUIREMENTS_SIZE = 64;
    /** CrossDomainCapabilities: version, supported_channels, supports_dmabuf, supports_external_gpu_memory. */
    public static final int CROSS_DOMAIN_CAPABILITIES_SIZE = 16;
    public static final int CROSS_DOMAIN_VERSION = 1;

    // struct virtio_gpu_ctrl_hdr (24 bytes).
    public static final int HDR_TYPE = 0;
    public static final int HDR_FLAGS = 4;
    public static final int HDR_FENCE_ID = 8;
    public static final int HDR_CTX_ID = 16;
    public static final int HDR_RING_IDX = 20;
    public static final int HDR_SIZE = 24;

    // struct virtio_gpu_rect (16 bytes) at the given base: x, y, width, height.
    public static final int RECT_SIZE = 16;

    // Request sizes (header included) and body field offsets.
    public static final int REQ_RESOURCE_CREATE_2D = HDR_SIZE + 16;   // resource_id, format, width, height
    public static final int REQ_RESOURCE_UNREF = HDR_SIZE + 8;        // resource_id, padding
    public static final int REQ_SET_SCANOUT = HDR_SIZE + RECT_SIZE + 8; // rect, scanout_id, resource_id
    public static final int REQ_RESOURCE_FLUSH = HDR_SIZE + RECT_SIZE + 8; // rect, resource_id, padding
    public static final int REQ_TRANSFER_TO_HOST_2D = HDR_SIZE + RECT_SIZE + 16; // rect, le64 offset, resource_id, padding
    public static final int REQ_ATTACH_BACKING = HDR_SIZE + 8;        // resource_id, nr_entries, then entries
    public static final int MEM_ENTRY_SIZE = 16;                      // le64 addr, le32 length, le32 padding
    /** resource_id, blob_mem, blob_flags, nr_entries, le64 blob_id, le64 size; then the entries. */
    public static final int REQ_RESOURCE_CREATE_BLOB = HDR_SIZE + 32;
    /** rect, scanout_id, resource_id, width, height, format, padding, strides[4], offsets[4]. */
    public static final int REQ_SET_SCANOUT_BLOB = HDR_SIZE + RECT_SIZE + 24 + 16 + 16;
    public static final int REQ_DETACH_BACKING = HDR_SIZE + 8;        // resource_id, padding
    public static final int REQ_GET_CAPSET_INFO = HDR_SIZE + 8;       // capset_index, padding
    public static final int REQ_GET_CAPSET = HDR_SIZE + 8;            // capset_id, capset_version
    public static final int REQ_GET_EDID = HDR_SIZE + 8;              // scanout, padding
    public static final int REQ_ASSIGN_UUID = HDR_SIZE + 8;           // resource_id, padding
    public static final int REQ_CTX_CREATE = HDR_SIZE + 8 + CTX_DEBUG_NAME_MAX; // nlen, context_init, debug_name[64]
    public static final int REQ_CTX_DESTROY = HDR_SIZE;
    public static final int REQ_CTX_RESOURCE = HDR_SIZE + 8;          // resource_id, padding
    /** resource_id, target, format, bind, width, height, depth, array_size, last_level, nr_samples, flags, padding. */
    public static final int REQ_RESOURCE_CREATE_3D = HDR_SIZE + 48;
    /** box{x, y, z, w, h, d}, le64 offset, resource_id, level, stride, layer_stride. */
    public static final int REQ_TRANSFER_HOST_3D = HDR_SIZE + 24 + 8 + 16;
    public static final int REQ_SUBMIT_3D = HDR_SIZE + 8;             // size, padding, then the command buffer
    public static final int REQ_MAP_BLOB = HDR_SIZE + 16;             // resource_id, padding, le64 offset
    public static final int REQ_UNMAP_BLOB = HDR_SIZE + 8;            // resource_id, padding
    public static final int REQ_CURSOR = HDR_SIZE + 32;               // pos{scanout_id, x, y, pad}, resource_id, hot_x, hot_y, pad

    // Response sizes.
    public static final int RESP_NODATA_SIZE = HDR_SIZE;
    public static final int DISPLAY_ONE_SIZE = RECT_SIZE + 8;         // rect, enabled, flags
    public static final int RESP_DISPLAY_INFO_SIZE = HDR_SIZE + MAX_SCANOUTS * DISPLAY_ONE_SIZE;
    public static final int RESP_EDID_SIZE = HDR_SIZE + 8 + EDID_BLOB_SIZE; // size, padding, edid[1024]
    public static final int RESP_UUID_SIZE = HDR_SIZE + 16;
    public static final int RESP_CAPSET_INFO_SIZE = HDR_SIZE + 16;    // capset_id, max_version, max_size, padding
    public static final int RESP_CAPSET_SIZE = HDR_SIZE + CROSS_DOMAIN_CAPABILITIES_SIZE;
    public static final int RESP_MAP_INFO_SIZE = HDR_SIZE + 8;        // map_info, padding
    /** The largest capset the device sends (virglrenderer's VIRGL2 is 1376 bytes in 0.10, more in later versions). */
    public static final int MAX_CAPSET_SIZE = 4096;
    public static final int MAX_RESPONSE_SIZE = Math.max(RESP_EDID_SIZE, HDR_SIZE + MAX_CAPSET_SIZE);
    public static final int MAX_REQUEST_SIZE = REQ_ATTACH_BACKING + MAX_BACKING_ENTRIES * MEM_ENTRY_SIZE;

    /** True for the eight 2D formats. */
    public static boolean isValidFormat(int format) {
        switch (format) {
            case FORMAT_B8G8R8A8: case FORMAT_B8G8R8X8: case FORMAT_A8R8G8B8: case FORMAT_X8R8G8B8:
            case FORMAT_R8G8B8A8: case FORMAT_X8B8G8R8: case FORMAT_A8B8G8R8: case FORMAT_R8G8B8X8:
                return true;
            default:
                return false;
        }
    }

    /**
     * Byte offsets of red, green, blue and alpha within a pixel, packed as 4 nibbles
     * (r | g << 4 | b << 8 | a << 12); alpha 0xf means "no alpha channel" (X formats, opaque).
     */
    public static int channelOffsets(int format) {
        switch (format) {
            case FORMAT_B8G8R8A8: return 2 | 1 << 4 | 0 << 8 | 3 << 12;
            case FORMAT_B8G8R8X8: return 2 | 1 << 4 | 0 << 8 | 0xf << 12;
            case FORMAT_A8R8G8B8: return 1 | 2 << 4 | 3 << 8 | 0 << 12;
            case FORMAT_X8R8G8B8: return 1 | 2 << 4 | 3 << 8 | 0xf << 12;
            case FORMAT_R8G8B8A8: return 0 | 1 << 4 | 2 << 8 | 3 << 12;
            case FORMAT_X8B8G8R8: return 3 | 2 << 4 | 1 << 8 | 0xf << 12;
            case FORMAT_A8B8G8R8: return 3 | 2 << 4 | 1 << 8 | 0 << 12;
            case FORMAT_R8G8B8X8: return 0 | 1 << 4 | 2 << 8 | 0xf << 12;
            default: throw new IllegalArgumentException("format " + format);
        }
    }

    /** The pixel at buf[index] as 0xAARRGGBB; alpha 0xff for X formats. */
    public static int argb(ByteBuffer buf, int index, int channelOffsets) {
        int r = buf.get(index + (channelOffsets & 0xf)) & 0xff;
        int g = buf.get(index + (channelOffsets >> 4 & 0xf)) & 0xff;
        int b = buf.get(index + (channelOffsets >> 8 & 0xf)) & 0xff;
        int ai = channelOffsets >> 12 & 0xf;
        int a = ai == 0xf ? 0xff : buf.get(index + ai) & 0xff;
        return a << 24 | r << 16 | g << 8 | b;
    }

    public static String formatName(int format) {
        switch (format) {
            case FORMAT_B8G8R8A8: return "B8G8R8A8";
            case FORMAT_B8G8R8X8: return "B8G8R8X8";
            case FORMAT_A8R8G8B8: return "A8R8G8B8";
            case FORMAT_X8R8G8B8: return "X8R8G8B8";
            case FORMAT_R8G8B8A8: return "R8G8B8A8";
            case FORMAT_X8B8G8R8: return "X8B8G8R8";
            case FORMAT_A8B8G8R8: return "A8B8G8R8";
            case FORMAT_R8G8B8X8: return "R8G8B8X8";
            default: return "format(" + format + ")";
        }
    }

    /** A command code's name from the command table (its hex number if the device does not know it). */
    public static String commandName(int type) {
        return org.vgpu.gpu.command.CommandType.nameOf(type);
    }

    public static String responseName(int type) {
        switch (type) {
            case RESP_OK_NODATA: return "OK_NODATA";
            case RESP_OK_DISPLAY_INFO: return "OK_DISPLAY_INFO";
            case RESP_OK_CAPSET_INFO: return "OK_CAPSET_INFO";
            case RESP_OK_CAPSET: return "OK_CAPSET";
            case RESP_OK_EDID: return "OK_EDID";
            case RESP_OK_RESOURCE_UUID: return "OK_RESOURCE_UUID";
            case RESP_OK_MAP_INFO: return "OK_MAP_INFO";
            case RESP_ERR_UNSPEC: return "ERR_UNSPEC";
            case RESP_ERR_OUT_OF_MEMORY: return "ERR_OUT_OF_MEMORY";
            case RESP_ERR_INVALID_SCANOUT_ID: return "ERR_INVALID_SCANOUT_ID";
            case RESP_ERR_INVALID_RESOURCE_ID: return "ERR_INVALID_RESOURCE_ID";
            case RESP_ERR_INVALID_CONTEXT_ID: return "ERR_INVALID_CONTEXT_ID";
            case RESP_ERR_INVALID_PARAMETER: return "ERR_INVALID_PARAMETER";
            default: return String.format("0x%x", type);
        }
    }

    /** bytes rounded up to whole blob_alignment pages: what a blob occupies when mapped or allocated. */
    public static long blobAligned(long bytes) {
        return (bytes + BLOB_ALIGNMENT - 1) & -(long) BLOB_ALIGNMENT;
    }

    /** u32 field as a non-negative long, for overflow-free geometry math. */
    public static long u32(ByteBuffer buf, int index) {
        return buf.getInt(index) & 0xffff_ffffL;
    }

    /**
     * Writes a response header echoing the request's fence: FLAG_FENCE copies fence_id and ctx_id,
     * and with INFO_RING_IDX also ring_idx (VIRTIO 1.4 5.7.6.7).
     */
    public static void writeResponseHeader(ByteBuffer resp, int type, int reqFlags, long fenceId, int ctxId, int ringIdx) {
        resp.putInt(HDR_TYPE, type);
        if ((reqFlags & FLAG_FENCE) != 0) {
            int flags = FLAG_FENCE | (reqFlags & FLAG_INFO_RING_IDX);
            resp.putInt(HDR_FLAGS, flags);
            resp.putLong(HDR_FENCE_ID, fenceId);
            resp.putInt(HDR_CTX_ID, ctxId);
            resp.putInt(HDR_RING_IDX, (flags & FLAG_INFO_RING_IDX) != 0 ? ringIdx & 0xff : 0); // ring_idx + pad[3]
        } else {
            resp.putInt(HDR_FLAGS, 0);
            resp.putLong(HDR_FENCE_ID, 0);
            resp.putInt(HDR_CTX_ID, 0);
            resp.putInt(HDR_RING_IDX, 0);
        }
    }
}
