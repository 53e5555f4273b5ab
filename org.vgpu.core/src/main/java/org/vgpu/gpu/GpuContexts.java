package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vgpu.gpu.command.Bytes;
import org.vgpu.gpu.command.CtxCreate;
import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.RenderingContext;

/**
 * The device's context table (CTX_CREATE .. CTX_DETACH_RESOURCE): ids, attached resources, at
 * most {@link #MAX_CONTEXTS}, the errors. A context of capset 0 is Linux's default context (one
 * per DRM file with VIRGL on, and what Mesa's virgl driver renders in): a VIRGL context when the
 * device offers that capset, as virglrenderer and QEMU treat capset 0; without one resources
 * attach and nothing runs. Any other capset is a
 * {@link ContextType} the device offers; what its commands mean is the type's
 * {@link RenderingContext}. Fences a context leaves pending go to the {@link FenceListener}.
 */
final class GpuContexts {
    private static final System.Logger LOG = System.getLogger(GpuContexts.class.getName());
    static final int MAX_CONTEXTS = 64;

    /** Where a context's fence signals and its end go (the device's held chains). */
    interface FenceListener {
        FenceListener NONE = new FenceListener() {
            @Override
            public void signalled(Slot slot, int ringIdx, long fenceId) {
            }

            @Override
            public void ended(Slot slot) {
            }
        };

        /** From any thread. */
        void signalled(Slot slot, int ringIdx, long fenceId);

        /** The context is gone: whatever it held completes. Caller holds the state lock. */
        void ended(Slot slot);
    }

    /** One context: the device's bookkeeping and the host the type's context sees. */
    final class Slot implements ContextHost {
        final int ctxId;
        final String name;
        /** Null for a default context. */
        final ContextType type;
        RenderingContext context;
        final Set<Integer> resources = new HashSet<>();
        volatile boolean ended;

        Slot(int ctxId, String name, ContextType type) {
            this.ctxId = ctxId;
            this.name = name;
            this.type = type;
        }

        @Override
        public int contextId() {
            return ctxId;
        }

        @Override
        public String deviceName() {
            return state.deviceName();
        }

        @Override
        public boolean attached(int resourceId) {
            return resources.contains(resourceId);
        }

        @Override
        public boolean writeGuest(int resourceId, long offset, ByteBuffer src, int length) {
            synchronized (state) { // a context's own thread may write (its channel ring), the queue worker holds this lock
                return !ended && resources.contains(resourceId) && state.blobs().writeGuest(resourceId, offset, src, length);
            }
        }

        @Override
        public int resourceFd(int resourceId) {
            synchronized (state) {
                return !ended && resources.contains(resourceId) ? state.blobs().hostFd(resourceId) : -1;
            }
        }

        @Override
        public String setting(String key) {
            return state.setting(key);
        }

        @Override
        public org.vgpu.gpu.context.ResourceRenderer renderer() {
            return state.renderer(type);
        }

        @Override
        public void signalFence(int ringIdx, long fenceId) {
            if (!ended) {
                fences.signalled(this, ringIdx, fenceId);
            }
        }
    }

    private final GpuState state;
    private final IntMap<Slot> contexts = new IntMap<>();
    private volatile FenceListener fences = FenceListener.NONE;

    GpuContexts(GpuState state) {
        this.state = state;
    }

    void setFenceListener(FenceListener listener) {
        fences = listener == null ? FenceListener.NONE : listener;
    }

    /**
     * CTX_CREATE: ctx_id from the header, context_init's low byte names the capset (only with
     * CONTEXT_INIT negotiated; without it a context is a default one).
     */
    int create(int ctxId, CtxCreate c, boolean contextInitAcked) {
        if (ctxId == 0 || contexts.get(ctxId) != null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        int capset = (int) (c.contextInit() & CONTEXT_INIT_CAPSET_MASK);
        ContextType type = state.contextType(capset == 0 ? CAPSET_VIRGL : capset);
        if ((capset != 0 && (type == null || !contextInitAcked)) || c.debugName() == null) {
            return RESP_ERR_INVALID_PARAMETER; // no such type offered (no virgl renderer): default contexts run nothing
        }
        if (contexts.size() >= MAX_CONTEXTS) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        Slot slot = new Slot(ctxId, c.debugName(), type);
        if (type != null) {
            try {
                slot.context = type.create(slot, c.debugName());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "{0}: context type {1} failed to create a context: {2}", state.deviceName(), type.name(), e);
            }
            if (slot.context == null) {
                return RESP_ERR_INVALID_PARAMETER;
            }
        }
        contexts.put(ctxId, slot);
        return RESP_OK_NODATA;
    }

    int destroy(int ctxId) {
        Slot slot = contexts.remove(ctxId);
        if (slot == null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        end(slot);
        return RESP_OK_NODATA;
    }

    private void end(Slot slot) {
        slot.ended = true;
        if (slot.context != null) {
            try {
                slot.context.destroy();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "{0}: destroying context {1}: {2}", state.deviceName(), Integer.toUnsignedString(slot.ctxId), e);
            }
        }
        fences.ended(slot);
    }

    int attach(int ctxId, int resourceId, boolean resourceExists) {
        Slot c = contexts.get(ctxId);
        if (c == null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        if (!resourceExists) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (c.resources.add(resourceId) && c.context != null) {
            c.context.attach(resourceId);
        }
        return RESP_OK_NODATA;
    }

    int detach(int ctxId, int resourceId) {
        Slot c = contexts.get(ctxId);
        if (c == null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        if (!c.resources.remove(resourceId)) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (c.context != null) {
            c.context.detach(resourceId);
        }
        return RESP_OK_NODATA;
    }

    /** The context of ctxId, or null. */
    Slot get(int ctxId) {
        return contexts.get(ctxId);
    }

    /** SUBMIT_3D: the context's type runs the buffer (complete, bounds-checked). */
    int submit(int ctxId, int ringIdx, Bytes commands) {
        Slot c = contexts.get(ctxId);
        if (c == null) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        if (c.context == null) {
            return RESP_ERR_INVALID_PARAMETER; // a default context has no renderer to run commands
        }
        state.rendered().contentMayChange();
        ByteBuffer view = commands.buffer().duplicate();
        view.limit(commands.offset() + commands.length()).position(commands.offset());
        ByteBuffer buffer = view.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        try {
            return checked(c.context.submit(ringIdx, buffer));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "{0}: context {1} failed a SUBMIT_3D: {2}", state.deviceName(), Integer.toUnsignedString(ctxId), e);
            return RESP_ERR_UNSPEC;
        }
    }

    /** A type's result: one of the responses a command may give, else ERR_UNSPEC. */
    static int checked(int response) {
        return response == RESP_OK_NODATA || (response >= RESP_ERR_UNSPEC && response <= RESP_ERR_INVALID_PARAMETER) ? response : RESP_ERR_UNSPEC;
    }

    /** The resource was unreferenced: no context keeps it. */
    void resourceGone(int resourceId) {
        for (Slot c : contexts.values()) {
            if (c.resources.remove(resourceId) && c.context != null) {
                c.context.detach(resourceId);
            }
        }
    }

    /** A context type went away: its contexts are destroyed (their resources stay, detached). */
    int typeGone(ContextType type) {
        List<Integer> gone = new ArrayList<>();
        contexts.forEach((id, c) -> {
            if (c.type == type) {
                gone.add(id);
            }
        });
        for (int id : gone) {
            end(contexts.remove(id));
        }
        return gone.size();
    }

    int count() {
        return contexts.size();
    }

    /** ctx id -> "type 'name': N resources, ..." for the shell. */
    Map<Integer, String> describe() {
        Map<Integer, String> out = new java.util.TreeMap<>();
        contexts.forEach((id, c) -> {
            String what = c.type == null ? "default (no renderer) '" : c.type.name() + " '";
            String more = c.context == null ? "" : c.context.describe();
            out.put(id, what + c.name + "': " + c.resources.size() + " resources" + (more.isEmpty() ? "" : ", " + more));
        });
        return out;
    }

    /** Device reset: every context ends. */
    void clear() {
        List<Slot> all = new ArrayList<>(contexts.values());
        contexts.clear();
        for (Slot s : all) {
            end(s);
        }
    }
}
