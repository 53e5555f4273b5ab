package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.util.List;
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
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.RenderingContext;
import org.vgpu.gpu.context.ResourceRenderer;

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

    /** ringIdx: the header's ring_idx with INFO_RING_IDX (and CONTEXT_INIT acked), else 0. */
    int execute(CommandType type, GpuCommand c, int ctxId, int ringIdx, ResponseWriter out) {
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
                return capsetInfo(((GetCapsetInfo) c).index(), out);
            case GET_CAPSET: {
                GetCapset g = (GetCapset) c;
                return capset(g.capsetId(), g.version(), out);
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
            case RESOURCE_CREATE_3D: {
                ResourceCreate3d r = (ResourceCreate3d) c;
                RenderingContext rc = renderer(ctxId);
                int result = rc == null ? RenderingContext.NOT_HANDLED
                        : rc.resourceCreate3d(r.resourceId(), (int) r.target(), r.format(), (int) r.bind(), (int) r.width(), (int) r.height(),
                                (int) r.depth(), (int) r.arraySize(), (int) r.lastLevel(), (int) r.samples(), (int) r.flags());
                if (result != RenderingContext.NOT_HANDLED) {
                    return GpuContexts.checked(result);
                }
                ResourceRenderer renderer = state.resourceRenderer();
                return renderer != null ? state.rendered().create(renderer, r) : state.resourceCommands().create3d(r);
            }
            case TRANSFER_TO_HOST_3D:
            case TRANSFER_FROM_HOST_3D: {
                Transfer3d t = (Transfer3d) c;
                state.rendered().contentMayChange(); // also when the header's context does it
                RenderingContext rc = renderer(ctxId);
                int result = rc == null ? RenderingContext.NOT_HANDLED
                        : rc.transfer3d(t.toHost(), t.resourceId(), (int) t.box().x(), (int) t.box().y(), (int) t.box().z(), (int) t.box().width(),
                                (int) t.box().height(), (int) t.box().depth(), t.offset(), (int) t.level(), (int) t.stride(), (int) t.layerStride());
                return result == RenderingContext.NOT_HANDLED ? state.resourceCommands().transfer3d(t, ctxId) : GpuContexts.checked(result);
            }
            default:
                return contextCommand(type, c, ctxId, ringIdx);
        }
    }

    /** The rendering context of a context id (not a default one), or null. */
    private RenderingContext renderer(int ctxId) {
        GpuContexts.Slot slot = ctxId == 0 ? null : state.contextTable().get(ctxId);
        return slot == null ? null : slot.context;
    }

    /** GET_CAPSET_INFO: the offered capsets in the order they were listed. */
    private int capsetInfo(long index, ResponseWriter out) {
        List<GpuState.Capset> capsets = state.capsets();
        if (index >= capsets.size()) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        GpuState.Capset c = capsets.get((int) index);
        return out.capsetInfo(c.id(), c.maxVersion(), c.maxSize());
    }

    /** GET_CAPSET: the live type's capset of a version up to the offered maximum. */
    private int capset(long capsetId, long version, ResponseWriter out) {
        ContextType type = capsetId > CONTEXT_INIT_CAPSET_MASK ? null : state.contextType((int) capsetId);
        GpuState.Capset offered = state.capsets().stream().filter(c -> c.id() == capsetId).findFirst().orElse(null);
        if (type == null || offered == null || version > offered.maxVersion() || version > type.maxVersion()) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        try {
            int size = type.capsetSize((int) version);
            return size < 0 || size > ResponseWriter.CAPSET_ROOM ? RESP_ERR_UNSPEC : out.capset(type, (int) version, size, state::setting);
        } catch (RuntimeException e) {
            return RESP_ERR_UNSPEC; // a broken type: its capset is not sent
        }
    }

    /** CTX_CREATE .. CTX_DETACH_RESOURCE and SUBMIT_3D: the context table's (VIRGL is only offered with a context type). */
    private int contextCommand(CommandType type, GpuCommand c, int ctxId, int ringIdx) {
        GpuContexts contexts = state.contextTable();
        if (!state.contextsEnabled()) {
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
                return contexts.submit(ctxId, ringIdx, s.commands());
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
