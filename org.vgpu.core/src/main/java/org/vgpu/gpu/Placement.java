package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;

/**
 * Where each resource's pixels live: the backend chosen at creation, chosen again once its guest
 * pages are known, moved while the guest runs (migrate, a leaving backend, rebalance), and moved
 * to a copying backend before a zero-copy resource loses its pages.
 */
final class Placement {
    private static final System.Logger LOG = System.getLogger(Placement.class.getName());

    private final GpuState state;
    private final BackendSelector selector;
    private final ResourceTable table;
    private long migrations;

    Placement(GpuState state, BackendSelector selector, ResourceTable table) {
        this.state = state;
        this.selector = selector;
        this.table = table;
    }

    BackendSelector.Selection select(ResourceSpec spec, BackingList pages) {
        return selector.select(state.deviceName(), spec, pages);
    }

    /** Gives a new resource its chosen backend and store. */
    static void place(Resource r, BackendSelector.Selection sel, BackendResource store) {
        r.backend = sel.backend();
        r.backendReason = sel.reason();
        r.store = store;
    }

    /**
     * Asks the selector again now that the guest pages are known (a zero-copy backend may take a
     * resource whose pages qualify); moves the resource if the choice changed. Pixels are not
     * carried over: the guest transfers after attaching anyway.
     */
    int reselect(Resource r, BackingList backing) {
        BackendSelector.Selection sel = select(r.spec, backing);
        ResourceBackend chosen = sel.backend();
        if (chosen == null || chosen == r.backend) {
            if (chosen != null) {
                r.backendReason = sel.reason();
            }
            return RESP_OK_NODATA; // keep the backend chosen at create
        }
        try {
            BackendResource store = chosen.create(r.spec);
            r.store.destroy();
            place(r, sel, store);
            return RESP_OK_NODATA;
        } catch (BackendException e) {
            return e.outOfMemory() ? RESP_ERR_OUT_OF_MEMORY : RESP_ERR_UNSPEC;
        }
    }

    /**
     * Moves a resource to another backend while the guest runs: commands are serialized with this
     * call by the state lock, so none is half-done; the target takes the same backing and the exact
     * pixels the resource showed; scanouts keep showing it. Throws with the reason if it cannot.
     */
    String migrate(int resourceId, ResourceBackend target, String why) throws BackendException {
        Resource r = table.get(resourceId);
        String id = Integer.toUnsignedString(resourceId);
        if (r == null) {
            throw new BackendException("no resource " + id, false);
        }
        if (r.backend == target) {
            return "resource " + id + " is already on " + target.name();
        }
        if (r.store == null) {
            throw new BackendException("blob " + id + " has no pixels yet (no scanout layout)", false);
        }
        if (r.spec.hostVisible() && !target.capabilities().hostVisibleMapping()) {
            throw new BackendException(target.name() + " declined: no host memory it can map into the guest", false);
        }
        if (r.mappedAt >= 0) {
            // The guest writes the mapped pages directly: a copy made now could miss its next writes.
            throw new BackendException("blob " + id + " is mapped into the guest at 0x" + Long.toHexString(r.mappedAt)
                    + "; it can move once the guest unmaps it", false);
        }
        Probe probe = target.probe(r.spec, r.backing);
        if (!probe.accepts()) {
            throw new BackendException(target.name() + " declined: " + probe.reason(), false);
        }
        BackendResource store = target.create(r.spec);
        try {
            if (r.backing != null && r.rendered == null) { // a rendered resource's backing is the renderer's, its store a host copy
                store.attachBacking(state.memory(), r.storePages());
            }
            // A migration is rare and may be large: its buffer is allocated here, not kept around.
            ByteBuffer pixels = ByteBuffer.allocateDirect((int) r.spec.sizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
            r.store.exportContents(pixels);
            store.importContents(pixels);
        } catch (RuntimeException | BackendException e) {
            store.destroy();
            throw e;
        }
        BackendResource old = r.store;
        String from = r.backend.name();
        r.store = store;
        r.backend = target;
        // A selector's why already quotes the target's probe; a manual migrate's does not.
        r.backendReason = "migrated from " + from + " (" + why + ")" + (why.contains(probe.reason()) ? "" : "; " + probe.reason());
        old.destroy();
        migrations++;
        return "resource " + id + " moved from " + from + " to " + target.name();
    }

    /** Moves every resource off a backend that is leaving, each to what the selector picks now. */
    List<String> migrateAllFrom(ResourceBackend leaving) {
        List<String> report = new ArrayList<>();
        for (Resource r : table.snapshot()) {
            if (r.backend != leaving || r.store == null) {
                continue;
            }
            BackendSelector.Selection sel = select(r.spec, r.backing);
            try {
                if (sel.backend() == null) {
                    throw new BackendException("no backend accepts it: " + sel.reason(), false);
                }
                report.add(migrate(r.spec.resourceId(), sel.backend(), leaving.name() + " left; " + sel.reason()));
            } catch (BackendException e) {
                LOG.log(Level.ERROR, "{0}: resource {1} stays on departing backend {2}: {3}", state.deviceName(),
                        Integer.toUnsignedString(r.spec.resourceId()), leaving.name(), e.getMessage());
                report.add(notMoved(r, e));
            }
        }
        return report;
    }

    /** Moves each resource to the backend the policy picks now, where that differs (vgpu:rebalance). */
    List<String> rebalance() {
        List<String> report = new ArrayList<>();
        for (Resource r : table.snapshot()) {
            if (r.store == null) {
                continue;
            }
            BackendSelector.Selection sel = select(r.spec, r.backing);
            if (sel.backend() == null || sel.backend() == r.backend) {
                continue;
            }
            try {
                report.add(migrate(r.spec.resourceId(), sel.backend(), "rebalance; " + sel.reason()));
            } catch (BackendException e) {
                report.add(notMoved(r, e));
            }
        }
        return report;
    }

    private static String notMoved(Resource r, BackendException e) {
        return "resource " + Integer.toUnsignedString(r.spec.resourceId()) + " not moved: " + e.getMessage();
    }

    /**
     * A zero-copy resource's pixels are the guest pages being detached: before they go, the
     * resource moves to a backend that keeps a host copy (the selector asked without backing, so
     * zero-copy backends decline), and the scanout keeps showing the same image.
     */
    void keepPixelsOnHost(Resource r) {
        if (!r.backend.capabilities().zeroCopy()) {
            return;
        }
        BackendSelector.Selection sel = select(r.spec, null);
        try {
            if (sel.backend() == null) {
                throw new BackendException(sel.reason(), false);
            }
            migrate(r.spec.resourceId(), sel.backend(), "backing detached from a zero-copy resource; " + sel.reason());
        } catch (BackendException e) {
            LOG.log(Level.WARNING, "{0}: resource {1} loses its pixels with its backing: {2}", state.deviceName(),
                    Integer.toUnsignedString(r.spec.resourceId()), e.getMessage());
        }
    }

    long migrations() {
        return migrations;
    }
}
