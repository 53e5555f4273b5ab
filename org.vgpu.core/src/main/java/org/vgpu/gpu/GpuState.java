package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.vgpu.gpu.command.CommandType;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.ResourceRenderer;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.memory.GuestMemory;

/**
 * The device state behind the command decoder, split by concern: the {@link ResourceTable} (with
 * the quota), {@link Placement} (which backend holds a resource, migration), the 2D
 * {@link ResourceCommands}, {@link Blobs} (and MAP_BLOB windows), {@link Displays} (scanouts,
 * sinks, capture), the {@link CursorPlane} and {@link GpuContexts}. This class holds what they
 * share (guest memory, host-visible window, acked features, stats) and the inspection API of the
 * shell and tests. Callers hold the state's monitor (the {@link CommandDecoder} does), so queues
 * served by different threads see one consistent state.
 */
public final class GpuState {
    /** Offered by every GPU device. */
    static final long OFFERED_FEATURES = 1L << F_VERSION_1 | 1L << F_RING_EVENT_IDX | 1L << F_RING_INDIRECT_DESC
            | 1L << F_EDID | 1L << F_RESOURCE_UUID | 1L << F_RESOURCE_BLOB | 1L << F_BLOB_ALIGNMENT;
    /** With contexts: Linux creates contexts and HOST3D blobs only with VIRGL negotiated. */
    static final long CONTEXT_FEATURES = 1L << F_VIRGL | 1L << F_CONTEXT_INIT;

    private final String deviceName;
    private final GpuStats stats = new GpuStats();
    private final ResourceTable table;
    private final Placement placement;
    private final ResourceCommands resourceCommands;
    private final Blobs blobs;
    private final Displays displays;
    private final CursorPlane cursorPlane;
    private final RenderedResources rendered;
    /** The renderers opened from types that render resources (two types may share one); closed at reset. */
    private final Map<ContextType, ResourceRenderer> renderers = new java.util.HashMap<>();
    /** The renderer of RESOURCE_CREATE_3D: the first offered type's, or null (2D resources then). */
    private ResourceRenderer resourceRenderer;
    /** The context table; contexts exist only while the device offers a context type. */
    private final GpuContexts contexts;
    private final boolean crossDomain;
    private final GpuSettings settings;
    /** The context types present (services), in the order they came. */
    private final List<ContextType> types = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The capsets offered; fixed once the driver acked features after a reset (frozen), until the next reset. */
    private List<Capset> offered;
    private boolean frozen;
    private GuestMemory memory;
    /** The transport's HOST_VISIBLE region of the current activation, or null. */
    private SharedMemoryWindow hostVisible;
    /** What the driver acked: the commands these features enable are served only while acked. */
    private long ackedFeatures;

    public GpuState(GpuSettings settings, BackendSelector selector, ContextType... contextTypes) {
        this.deviceName = settings.name();
        this.settings = settings;
        this.crossDomain = settings.crossDomain();
        this.types.addAll(List.of(contextTypes));
        this.contexts = new GpuContexts(this);
        this.table = new ResourceTable(settings.quotaBytes());
        this.placement = new Placement(this, selector, table);
        this.resourceCommands = new ResourceCommands(this, table, placement);
        this.blobs = new Blobs(this, table, placement);
        this.displays = new Displays(this, table, settings);
        this.cursorPlane = new CursorPlane(this, table, displays);
        this.rendered = new RenderedResources(this, table, placement);
    }

    public String deviceName() {
        return deviceName;
    }

    /** A device setting for context types (see {@link GpuSettings#setting}). */
    String setting(String key) {
        return settings.setting(key);
    }

    /** The guest memory of the current activation (null when inactive). */
    public synchronized void setMemory(GuestMemory memory) {
        this.memory = memory;
    }

    /** The transport's host-visible region for MAP_BLOB (null: MAP_BLOB answers ERR_UNSPEC). */
    public synchronized void setHostVisible(SharedMemoryWindow window) {
        this.hostVisible = window;
    }

    /** One offered capset (GET_CAPSET_INFO's answer, fixed until the next reset). */
    record Capset(int id, int maxVersion, int maxSize, String typeName) {
    }

    /** A context type service appeared: offered from the next time the driver reads the features after a reset. */
    public void addContextType(ContextType type) {
        types.add(type);
    }

    /** A context type went away: its contexts are destroyed at once (their resources stay, detached). */
    public synchronized void removeContextType(ContextType type) {
        if (types.remove(type)) {
            contexts.typeGone(type);
            ResourceRenderer gone = renderers.remove(type);
            if (gone != null && !renderers.containsValue(gone)) {
                rendered.rendererGone(gone); // its resources stay, dead, until unreferenced
                closeQuietly(gone);
            }
            if (gone == resourceRenderer) {
                resourceRenderer = renderers.isEmpty() ? null : renderers.values().iterator().next();
            }
        }
    }

    private void closeQuietly(ResourceRenderer r) {
        try {
            r.close();
        } catch (RuntimeException e) {
            System.getLogger(GpuState.class.getName()).log(System.Logger.Level.WARNING, "{0}: closing renderer {1}: {2}", deviceName, r, e);
        }
    }

    /** A rendering type's renderer for this device, opened on first use; null if it cannot serve this device now. */
    private ResourceRenderer openRenderer(ContextType t) {
        ResourceRenderer r = renderers.get(t);
        if (r == null) {
            try {
                r = t.openRenderer(deviceName);
            } catch (RuntimeException e) {
                r = null;
            }
            if (r != null) {
                renderers.put(t, r);
            }
        }
        return r;
    }

    /**
     * Whether a rendering type could serve this device now, without keeping its renderer: a
     * listing (a shell, a VMM asking early) must not take a renderer another device may need;
     * the driver's feature ack does ({@link #setFeatures}).
     */
    private boolean canRender(ContextType t) {
        if (renderers.containsKey(t)) {
            return true;
        }
        ResourceRenderer probe;
        try {
            probe = t.openRenderer(deviceName);
        } catch (RuntimeException e) {
            return false;
        }
        if (probe != null && !renderers.containsValue(probe)) {
            closeQuietly(probe);
        }
        return probe != null;
    }

    /**
     * The capsets this device offers: from the types present now, and once the driver has acked
     * features after a reset, the ones present then, until the next reset (so a shell or VMM
     * reading the features early fixes nothing). One per capset id (the first type of an id),
     * cross-domain only with cross.domain=true; a type whose capset does not fit a response is
     * left out.
     */
    synchronized List<Capset> capsets() {
        if (offered == null || !frozen) {
            List<Capset> list = new ArrayList<>();
            for (ContextType t : types) {
                try {
                    int id = t.capsetId();
                    if (id <= 0 || id > CONTEXT_INIT_CAPSET_MASK || (id == CAPSET_CROSS_DOMAIN && !crossDomain)
                            || list.stream().anyMatch(c -> c.id() == id) || t.maxVersion() < 0) {
                        continue;
                    }
                    int max = 0;
                    for (int v = 0; v <= t.maxVersion(); v++) {
                        max = Math.max(max, t.capsetSize(v));
                    }
                    if (max > ResponseWriter.CAPSET_ROOM) {
                        continue;
                    }
                    if (t.rendersResources() && !canRender(t)) {
                        continue; // its renderer serves another device
                    }
                    list.add(new Capset(id, t.maxVersion(), max, t.name()));
                } catch (RuntimeException e) {
                    // a broken type is not offered
                }
            }
            offered = List.copyOf(list);
        }
        return offered;
    }

    /** The live type of an offered capset, or null (not offered, or its type went away). */
    synchronized ContextType contextType(int capsetId) {
        if (capsets().stream().noneMatch(c -> c.id() == capsetId)) {
            return null;
        }
        for (ContextType t : types) {
            if (t.capsetId() == capsetId) {
                return t;
            }
        }
        return null;
    }

    /** Whether this device speaks contexts: it offers at least one context type (VIRGL + CONTEXT_INIT). */
    public boolean contextsEnabled() {
        return !capsets().isEmpty();
    }

    /** num_capsets in the config space. */
    public int numCapsets() {
        return capsets().size();
    }

    /** The features this device offers. */
    public long offeredFeatures() {
        return contextsEnabled() ? OFFERED_FEATURES | CONTEXT_FEATURES : OFFERED_FEATURES;
    }

    /** The driver's acked features (unoffered bits dropped); a device reset sets them back to none. */
    public synchronized void setFeatures(long acked) {
        ackedFeatures = acked & offeredFeatures();
        frozen = true; // what the driver saw stays offered until the next reset
        if (featureAcked(F_VIRGL)) {
            openRenderers();
        }
    }

    /**
     * The driver took VIRGL: the offered rendering types' renderers are opened (kept until reset),
     * the first of them serving RESOURCE_CREATE_3D. One taken meanwhile by another device leaves
     * this one without: its contexts are refused and 3D resources are served as 2D ones.
     */
    private void openRenderers() {
        for (Capset c : offered) {
            ContextType t = contextType(c.id());
            if (t == null || !t.rendersResources()) {
                continue;
            }
            ResourceRenderer r = openRenderer(t);
            if (r == null) {
                System.getLogger(GpuState.class.getName()).log(System.Logger.Level.WARNING,
                        "{0}: the {1} renderer went to another device after it was offered here", deviceName, t.name());
            } else if (resourceRenderer == null) {
                resourceRenderer = r;
            }
        }
    }

    public synchronized long features() {
        return ackedFeatures;
    }

    /** Whether the driver negotiated RESOURCE_BLOB (blob commands are unknown commands otherwise). */
    public synchronized boolean blobEnabled() {
        return featureAcked(F_RESOURCE_BLOB);
    }

    /** Acks or drops RESOURCE_BLOB alone. */
    public synchronized void setBlobEnabled(boolean enabled) {
        setFeatures(enabled ? ackedFeatures | 1L << F_RESOURCE_BLOB : ackedFeatures & ~(1L << F_RESOURCE_BLOB));
    }

    boolean featureAcked(int bit) {
        return (ackedFeatures & 1L << bit) != 0;
    }

    /** Whether a command type is served under the acked features. */
    boolean serves(CommandType type) {
        return type.enabledBy(ackedFeatures);
    }

    public synchronized void addSink(DisplaySink sink) {
        displays.addSink(sink);
    }

    public synchronized void removeSink(DisplaySink sink) {
        displays.removeSink(sink);
    }

    public int numScanouts() {
        return displays.count();
    }

    /** Changes a scanout's preferred mode (the device then raises EVENT_DISPLAY). */
    /** The display's own EDID for a scanout (checked); true if the guest should re-read it. */
    public synchronized boolean setDisplayEdid(int scanoutId, byte[] edid) {
        return displays.setDisplayEdid(scanoutId, edid);
    }

    public synchronized void setPreferredMode(int scanoutId, int width, int height) {
        displays.setPreferredMode(scanoutId, width, height);
    }

    // ---- what the parts share (caller holds the lock) ----

    GpuStats stats() {
        return stats;
    }

    GuestMemory memory() {
        return memory;
    }

    SharedMemoryWindow hostVisible() {
        return hostVisible;
    }

    /** The renderer of RESOURCE_CREATE_3D while VIRGL is acked, else null (2D resources). */
    ResourceRenderer resourceRenderer() {
        return featureAcked(F_VIRGL) ? resourceRenderer : null;
    }

    /** A type's renderer on this device (ContextHost.renderer), or null. */
    synchronized ResourceRenderer renderer(ContextType type) {
        return type == null ? null : renderers.get(type);
    }

    RenderedResources rendered() {
        return rendered;
    }

    GpuContexts contextTable() {
        return contexts;
    }

    ResourceCommands resourceCommands() {
        return resourceCommands;
    }

    Blobs blobs() {
        return blobs;
    }

    Displays displays() {
        return displays;
    }

    CursorPlane cursorPlane() {
        return cursorPlane;
    }

    boolean resourceExists(int id) {
        return table.get(id) != null;
    }

    /** A resource is unreferenced: no scanout shows it, the guest loses its mapping, no context keeps it. */
    void resourceGoing(Resource r) {
        displays.hide(r);
        cursorPlane.resourceGone(r.spec.resourceId());
        blobs.unmap(r); // the guest loses the mapping before the memory behind it goes
        contexts.resourceGone(r.spec.resourceId());
    }

    /**
     * Device reset: every resource is destroyed, scanouts disabled, cursor hidden, the features
     * back to none acked (so the commands they enable are refused until acked again); stats are kept.
     */
    public synchronized void reset() {
        displays.disableAll();
        for (Resource r : table.values()) {
            blobs.unmap(r); // before the memory behind the mapping goes
            if (r.store != null) {
                r.store.destroy();
            }
        }
        table.clear();
        contexts.clear();
        for (ResourceRenderer r : new java.util.HashSet<>(renderers.values())) {
            closeQuietly(r); // frees the device's 3D resources; another device may take the renderer now
        }
        renderers.clear();
        resourceRenderer = null;
        offered = null; // the types present when the driver next acks features
        frozen = false;
        cursorPlane.cursor.reset();
        ackedFeatures = 0;
    }

    // ---- migration ----

    /** Moves a live resource to another backend (see {@link Placement#migrate}). */
    public synchronized String migrate(int resourceId, ResourceBackend target, String why) throws BackendException {
        return placement.migrate(resourceId, target, why);
    }

    /** Moves every resource off a backend that is leaving, each to what the selector picks now. */
    public synchronized List<String> migrateAllFrom(ResourceBackend leaving) {
        return placement.migrateAllFrom(leaving);
    }

    /** Moves each resource to the backend the policy picks now, where that differs (vgpu:rebalance). */
    public synchronized List<String> rebalance() {
        return placement.rebalance();
    }

    /** Resources moved between backends so far. */
    public synchronized long migrations() {
        return placement.migrations();
    }

    // ---- inspection (shell, screenshots, tests) ----

    public synchronized Map<Integer, String> contexts() {
        return contexts.describe();
    }

    public synchronized long usedBytes() {
        return table.usedBytes();
    }

    public long quotaBytes() {
        return table.quotaBytes();
    }

    /** A snapshot of the counters. */
    public synchronized GpuStats statsSnapshot() {
        return stats.copy();
    }

    public synchronized List<ResourceInfo> resources() {
        List<ResourceInfo> list = new ArrayList<>();
        for (Resource r : table.values()) {
            list.add(info(r));
        }
        list.sort((a, b) -> Integer.compareUnsigned(a.id(), b.id()));
        return list;
    }

    /** The backend store of a resource (tests, benchmarks); caller holds the state lock. */
    BackendResource store(int id) {
        Resource r = table.get(id);
        return r == null ? null : r.store;
    }

    public synchronized ResourceInfo resource(int id) {
        Resource r = table.get(id);
        return r == null ? null : info(r);
    }

    private static ResourceInfo info(Resource r) {
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if ((r.scanoutMask & 1 << i) != 0) {
                shown.add(i);
            }
        }
        return new ResourceInfo(r.spec.resourceId(), r.spec.format(), r.width, r.height, r.backend == null ? "-" : r.backend.name(), r.backendReason,
                r.backing == null ? 0 : r.backing.entries(), r.backingBytes(), r.store == null ? 0 : r.store.hostBytes(), shown, r.uuid,
                r.store == null ? null : r.store.dmabuf(), r.mappedAt);
    }

    public synchronized List<ScanoutInfo> scanouts() {
        return displays.infos();
    }

    public synchronized CursorInfo cursor() {
        return cursorPlane.info();
    }

    /**
     * The scanout as 0xAARRGGBB pixels (row-major, width x height), or null if disabled; with
     * withCursor the visible cursor is blended in, as a display would show it.
     */
    public synchronized Frame capture(int scanoutId, boolean withCursor) {
        return displays.capture(scanoutId, withCursor ? cursorPlane.cursor : null);
    }

    /** The current 64x64 cursor image (0xAARRGGBB), for tests and sinks that attach late. */
    public synchronized int[] cursorImage() {
        return cursorPlane.image();
    }

    public record ResourceInfo(int id, int format, int width, int height, String backend, String backendReason,
            int backingEntries, long backingBytes, long hostBytes, List<Integer> scanouts, UUID uuid,
            org.vgpu.gpu.spi.Dmabuf dmabuf, long mappedAt) {
    }

    /** edid: "display" when the guest gets the display's own EDID, "device" when the device builds it. */
    public record ScanoutInfo(int id, int preferredWidth, int preferredHeight, int resourceId, int x, int y, int width, int height,
            String edid) {
    }

    public record CursorInfo(boolean visible, int scanoutId, int x, int y, int hotX, int hotY, int resourceId) {
    }
}
