package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes one request, checks its size, calls {@link GpuState} with typed arguments and encodes
 * the response. Owns a response scratch buffer, so it is used by one queue worker at a time; the
 * state is shared and locked per command. Allocation-free on every path except the rare
 * ATTACH_BACKING / CREATE (which allocate host state by nature).
 */
public final class CommandDecoder {
    private final GpuState state;
    private final ByteBuffer scratch = ByteBuffer.allocate(MAX_RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    public CommandDecoder(GpuState state) {
        this.state = state;
    }

    /**
     * Handles the request in req[0, length) and writes the response to resp[0 ..]; returns the
     * bytes written, at most resp.capacity() (a too-small response buffer gets the prefix that fits).
     * Both buffers must be little-endian; positions and limits are not used or changed.
     */
    public int handle(ByteBuffer req, int length, ByteBuffer resp) {
        if (req.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("request buffer must be little-endian");
        }
        int n = Math.max(0, Math.min(length, req.capacity()));
        int respLength;
        synchronized (state) {
            respLength = dispatch(req, n);
        }
        int out = Math.min(respLength, resp.capacity());
        resp.put(0, scratch, 0, out);
        return out;
    }

    /** Runs the command and leaves the full response in scratch; returns its length. */
    private int dispatch(ByteBuffer req, int n) {
        GpuStats stats = state.stats();
        if (n < HDR_SIZE) {
            // No complete header: nothing to echo.
            stats.countCommand(-1);
            return respond(RESP_ERR_UNSPEC, 0, 0, 0, 0);
        }
        int type = req.getInt(HDR_TYPE);
        int flags = req.getInt(HDR_FLAGS);
        long fenceId = req.getLong(HDR_FENCE_ID);
        int ctxId = req.getInt(HDR_CTX_ID);
        int ringIdx = req.get(HDR_RING_IDX) & 0xff;
        stats.countCommand(type);
        if ((flags & FLAG_FENCE) != 0) {
            stats.countFence(); // commands run synchronously, so fences complete in submission order
        }
        int result = execute(type, ctxId, req, n);
        return respond(result, flags, fenceId, ctxId, ringIdx);
    }

    private int execute(int type, int ctxId, ByteBuffer req, int n) {
        switch (type) {
            case CMD_GET_DISPLAY_INFO:
                return state.displayInfo(scratch);
            case CMD_RESOURCE_CREATE_2D:
                if (n < REQ_RESOURCE_CREATE_2D) {
                    return RESP_ERR_UNSPEC;
                }
                return state.createResource2d(req.getInt(24), req.getInt(28), u32(req, 32), u32(req, 36));
            case CMD_RESOURCE_UNREF:
                return n < REQ_RESOURCE_UNREF ? RESP_ERR_UNSPEC : state.unref(req.getInt(24));
            case CMD_SET_SCANOUT:
                if (n < REQ_SET_SCANOUT) {
                    return RESP_ERR_UNSPEC;
                }
                return state.setScanout(u32(req, 40), req.getInt(44), u32(req, 24), u32(req, 28), u32(req, 32), u32(req, 36));
            case CMD_RESOURCE_FLUSH:
                if (n < REQ_RESOURCE_FLUSH) {
                    return RESP_ERR_UNSPEC;
                }
                return state.flush(req.getInt(40), u32(req, 24), u32(req, 28), u32(req, 32), u32(req, 36));
            case CMD_TRANSFER_TO_HOST_2D:
                if (n < REQ_TRANSFER_TO_HOST_2D) {
                    return RESP_ERR_UNSPEC;
                }
                return state.transferToHost2d(req.getInt(48), u32(req, 24), u32(req, 28), u32(req, 32), u32(req, 36), req.getLong(40));
            case CMD_RESOURCE_ATTACH_BACKING: {
                if (n < REQ_ATTACH_BACKING) {
                    return RESP_ERR_UNSPEC;
                }
                long count = u32(req, 28);
                if (count <= MAX_BACKING_ENTRIES && n < REQ_ATTACH_BACKING + count * MEM_ENTRY_SIZE) {
                    return RESP_ERR_UNSPEC; // the entries are not all in the request
                }
                return state.attachBacking(req.getInt(24), req, REQ_ATTACH_BACKING, count);
            }
            case CMD_RESOURCE_DETACH_BACKING:
                return n < REQ_DETACH_BACKING ? RESP_ERR_UNSPEC : state.detachBacking(req.getInt(24));
            case CMD_GET_CAPSET_INFO:
                return n < REQ_GET_CAPSET_INFO ? RESP_ERR_UNSPEC : state.capsetInfo(u32(req, 24), scratch);
            case CMD_GET_CAPSET:
                return n < REQ_GET_CAPSET ? RESP_ERR_UNSPEC : state.capset(u32(req, 24), u32(req, 28), scratch);
            case CMD_CTX_CREATE:
                return n < REQ_CTX_CREATE ? RESP_ERR_UNSPEC : state.ctxCreate(ctxId, u32(req, 24), u32(req, 28), req, 32);
            case CMD_CTX_DESTROY:
                return state.ctxDestroy(ctxId);
            case CMD_CTX_ATTACH_RESOURCE:
                return n < REQ_CTX_RESOURCE ? RESP_ERR_UNSPEC : state.ctxAttach(ctxId, req.getInt(24));
            case CMD_CTX_DETACH_RESOURCE:
                return n < REQ_CTX_RESOURCE ? RESP_ERR_UNSPEC : state.ctxDetach(ctxId, req.getInt(24));
            case CMD_SUBMIT_3D: {
                if (n < REQ_SUBMIT_3D) {
                    return RESP_ERR_UNSPEC;
                }
                long size = u32(req, 24);
                if (size > n - REQ_SUBMIT_3D) {
                    return RESP_ERR_INVALID_PARAMETER; // the command buffer is not all in the request
                }
                return state.submit3d(ctxId, req, REQ_SUBMIT_3D, size);
            }
            case CMD_RESOURCE_CREATE_3D:
                if (n < REQ_RESOURCE_CREATE_3D) {
                    return RESP_ERR_UNSPEC;
                }
                return state.createResource3d(req.getInt(24), u32(req, 28), req.getInt(32), u32(req, 40), u32(req, 44),
                        u32(req, 48), u32(req, 52), u32(req, 56), u32(req, 60));
            case CMD_TRANSFER_TO_HOST_3D:
                if (n < REQ_TRANSFER_HOST_3D) {
                    return RESP_ERR_UNSPEC;
                }
                return state.transferToHost3d(req.getInt(56), u32(req, 24), u32(req, 28), u32(req, 32), u32(req, 36), u32(req, 40),
                        u32(req, 44), req.getLong(48), u32(req, 60), u32(req, 64));
            case CMD_RESOURCE_MAP_BLOB:
                if (!state.blobEnabled()) {
                    return RESP_ERR_UNSPEC;
                }
                return n < REQ_MAP_BLOB ? RESP_ERR_UNSPEC : state.mapBlob(req.getInt(24), req.getLong(32), scratch);
            case CMD_RESOURCE_UNMAP_BLOB:
                if (!state.blobEnabled()) {
                    return RESP_ERR_UNSPEC;
                }
                return n < REQ_UNMAP_BLOB ? RESP_ERR_UNSPEC : state.unmapBlob(req.getInt(24));
            case CMD_GET_EDID:
                return n < REQ_GET_EDID ? RESP_ERR_UNSPEC : state.edid(u32(req, 24), scratch);
            case CMD_RESOURCE_ASSIGN_UUID:
                return n < REQ_ASSIGN_UUID ? RESP_ERR_UNSPEC : state.assignUuid(req.getInt(24), scratch);
            case CMD_UPDATE_CURSOR:
                if (n < REQ_CURSOR) {
                    return RESP_ERR_UNSPEC;
                }
                return state.updateCursor(u32(req, 24), req.getInt(28), req.getInt(32), req.getInt(40), req.getInt(44), req.getInt(48));
            case CMD_MOVE_CURSOR:
                return n < REQ_CURSOR ? RESP_ERR_UNSPEC : state.moveCursor(u32(req, 24), req.getInt(28), req.getInt(32), req.getInt(40));
            case CMD_RESOURCE_CREATE_BLOB: {
                if (!state.blobEnabled()) {
                    return RESP_ERR_UNSPEC; // RESOURCE_BLOB not negotiated: as an unknown command
                }
                if (n < REQ_RESOURCE_CREATE_BLOB) {
                    return RESP_ERR_UNSPEC;
                }
                long count = u32(req, 36);
                if (count <= MAX_BACKING_ENTRIES && n < REQ_RESOURCE_CREATE_BLOB + count * MEM_ENTRY_SIZE) {
                    return RESP_ERR_UNSPEC; // the entries are not all in the request
                }
                return state.createBlob(ctxId, req.getInt(24), u32(req, 28), u32(req, 32), count, req.getLong(40), req.getLong(48),
                        req, REQ_RESOURCE_CREATE_BLOB);
            }
            case CMD_SET_SCANOUT_BLOB:
                if (!state.blobEnabled()) {
                    return RESP_ERR_UNSPEC;
                }
                if (n < REQ_SET_SCANOUT_BLOB) {
                    return RESP_ERR_UNSPEC;
                }
                return state.setScanoutBlob(u32(req, 40), req.getInt(44), u32(req, 24), u32(req, 28), u32(req, 32), u32(req, 36),
                        u32(req, 48), u32(req, 52), req.getInt(56), u32(req, 64), u32(req, 80));
            default:
                return RESP_ERR_UNSPEC; // TRANSFER_FROM_HOST_3D and unknown commands
        }
    }

    private int respond(int type, int flags, long fenceId, int ctxId, int ringIdx) {
        state.stats().countResponse(type);
        writeResponseHeader(scratch, type, flags, fenceId, ctxId, ringIdx);
        switch (type) {
            case RESP_OK_DISPLAY_INFO:
                return RESP_DISPLAY_INFO_SIZE;
            case RESP_OK_EDID:
                return RESP_EDID_SIZE;
            case RESP_OK_RESOURCE_UUID:
                return RESP_UUID_SIZE;
            case RESP_OK_CAPSET_INFO:
                return RESP_CAPSET_INFO_SIZE;
            case RESP_OK_CAPSET:
                return RESP_CAPSET_SIZE;
            case RESP_OK_MAP_INFO:
                return RESP_MAP_INFO_SIZE;
            default:
                return RESP_NODATA_SIZE;
        }
    }
}
