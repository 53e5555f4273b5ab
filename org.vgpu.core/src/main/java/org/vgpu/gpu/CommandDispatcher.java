package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.util.UUID;

import org.vgpu.gpu.command.AssignUuid;
import org.vgpu.gpu.command.AttachBacking;
import org.vgpu.gpu.command.CommandType;
import org.vgpu.gpu.command.CreateBlob;
import org.vgpu.gpu.command.CtxCreate;
import org.vgpu.gpu.command.CtxResource;
import org.vgpu.gpu.command.CursorCommand;
import org.vgpu.gpu.command.DetachBacking;
import org.vgpu.gpu.command.GetCapset;
import org.vgpu.gpu.command.GetCapsetInfo;
import org.vgpu.gpu.command.GetEdid;
import org.vgpu.gpu.command.GpuCommand;
import org.vgpu.gpu.command.MapBlob;
import org.vgpu.gpu.command.ResourceCreate2d;
import org.vgpu.gpu.command.ResourceCreate3d;
import org.vgpu.gpu.command.ResourceFlush;
import org.vgpu.gpu.command.ResourceUnref;
import org.vgpu.gpu.command.SetScanout;
import org.vgpu.gpu.command.SetScanoutBlob;
import org.vgpu.gpu.command.Submit3d;
import org.vgpu.gpu.command.Transfer3d;
import org.vgpu.gpu.command.TransferToHost2d;
import org.vgpu.gpu.command.UnmapBlob;

/**
 * Matches a decoded command on its type and hands it to the part of the device state that serves
 * it; data responses are encoded by the {@link ResponseWriter}. Returns the response type. The
 * caller holds the state lock and has checked the command's size and feature.
 */
final class CommandDispatcher {
    private final GpuState state;

    CommandDispatcher(GpuState state) {
        this.state = state;
    }

    int execute(CommandType type, GpuCommand c, int ctxId, ResponseWriter out) {
        switch (type) {
            case TRANSFER_TO_HOST_2D:
                return state.resourceCommands().transferToHost2d((TransferToHost2d) c);
            case RESOURCE_FLUSH: {
                ResourceFlush f = (ResourceFlush) c;
                return state.displays().flush(f.resourceId(), f.rect());
            }
            case UPDATE_CURSOR:
            case MOVE_CURSOR:
                return state.cursorPlane().handle((CursorCommand) c);
            case GET_DISPLAY_INFO:
                return displayInfo(out);
            case RESOURCE_CREATE_2D:
                return state.resourceCommands().create2d((ResourceCreate2d) c);
            case RESOURCE_UNREF:
                return state.resourceCommands().unref(((ResourceUnref) c).resourceId());
            case SET_SCANOUT: {
                SetScanout s = (SetScanout) c;
                return state.displays().show(s.scanoutId(), s.resourceId(), s.rect());
            }
            case RESOURCE_ATTACH_BACKING: {
                AttachBacking a = (AttachBacking) c;
                return a.entries().complete() ? state.resourceCommands().attachBacking(a) : RESP_ERR_UNSPEC; // entries cut off
            }
            case RESOURCE_DETACH_BACKING:
                return state.resourceCommands().detachBacking(((DetachBacking) c).resourceId());
            case GET_CAPSET_INFO:
                return state.contextTable() == null ? RESP_ERR_INVALID_PARAMETER : GpuContexts.capsetInfo(((GetCapsetInfo) c).index(), out);
            case GET_CAPSET: {
                GetCapset g = (GetCapset) c;
                return state.contextTable() == null ? RESP_ERR_INVALID_PARAMETER : GpuContexts.capset(g.capsetId(), g.version(), out);
            }
            case GET_EDID:
                return edid(((GetEdid) c).scanoutId(), out);
            case RESOURCE_ASSIGN_UUID: {
                UUID uuid = state.resourceCommands().assignUuid(((AssignUuid) c).resourceId());
                return uuid == null ? RESP_ERR_INVALID_RESOURCE_ID : out.uuid(uuid);
            }
            case RESOURCE_CREATE_BLOB: {
                CreateBlob b = (CreateBlob) c;
                return b.entries().complete() ? state.blobs().create(ctxId, b) : RESP_ERR_UNSPEC; // entries cut off
            }
            case SET_SCANOUT_BLOB:
                return state.blobs().setScanout((SetScanoutBlob) c);
            case RESOURCE_MAP_BLOB: {
                MapBlob m = (MapBlob) c;
                int result = state.blobs().map(m.resourceId(), m.offset());
                return result == RESP_OK_MAP_INFO ? out.mapInfo(MAP_CACHE_CACHED) : result;
            }
            case RESOURCE_UNMAP_BLOB:
                return state.blobs().unmap(((UnmapBlob) c).resourceId());
            case RESOURCE_CREATE_3D:
                return state.resourceCommands().create3d((ResourceCreate3d) c);
            case TRANSFER_TO_HOST_3D:
            case TRANSFER_FROM_HOST_3D:
                return state.resourceCommands().transfer3d((Transfer3d) c);
            default:
                return contextCommand(type, c, ctxId);
        }
    }

    /** CTX_CREATE .. CTX_DETACH_RESOURCE and SUBMIT_3D: the context table's (VIRGL is only offered with one). */
    private int contextCommand(CommandType type, GpuCommand c, int ctxId) {
        GpuContexts contexts = state.contextTable();
        if (contexts == null) {
            return RESP_ERR_UNSPEC;
        }
        switch (type) {
            case CTX_CREATE:
                return contexts.create(ctxId, (CtxCreate) c, state.featureAcked(F_CONTEXT_INIT));
            case CTX_DESTROY:
                return contexts.destroy(ctxId);
            case CTX_ATTACH_RESOURCE:
            case CTX_DETACH_RESOURCE: {
                CtxResource r = (CtxResource) c;
                return r.attach() ? contexts.attach(ctxId, r.resourceId(), state.resourceExists(r.resourceId()))
                        : contexts.detach(ctxId, r.resourceId());
            }
            case SUBMIT_3D: {
                Submit3d s = (Submit3d) c;
                if (!s.complete()) {
                    return RESP_ERR_INVALID_PARAMETER; // the command buffer is not all in the request
                }
                return contexts.submit(ctxId, s.commands(), state.blobs()::writeRing);
            }
            default:
                throw new IllegalStateException("no handler for " + type);
        }
    }

    private int displayInfo(ResponseWriter out) {
        int n = state.displays().count();
        for (int i = 0; i < MAX_SCANOUTS; i++) {
            Scanout s = i < n ? state.displays().get(i) : null;
            out.displayMode(i, s == null ? 0 : s.preferredWidth, s == null ? 0 : s.preferredHeight, s != null);
        }
        return RESP_OK_DISPLAY_INFO;
    }

    private int edid(long scanoutId, ResponseWriter out) {
        if (scanoutId >= state.displays().count()) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        Scanout s = state.displays().get((int) scanoutId);
        return s.displayEdid != null ? out.edid(s.displayEdid) : out.edid(s.preferredWidth, s.preferredHeight, s.id + 1);
    }
}
