package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;

/**
 * The device state behind the command decoder: resources, scanouts, cursor, quota and stats.
 * Every command method takes decoded, typed arguments (u32 geometry widened to long so no check
 * can overflow) and returns the response type. Callers hold the state's monitor (the
 * {@link CommandDecoder} does), so queues served by different threads see one consistent state.
 */
public final class GpuState {
    private static final System.Logger LOG = System.getLogger(GpuState.class.getName());

    /** Host bytes charged per resource besides its pixels, so tiny resources cannot be created without bound. */
    static final long RESOURCE_OVERHEAD = 256;
    /** Host bytes charged per backing entry (the backend keeps address, length, offset). */
    static final long BACKING_ENTRY_COST = MEM_ENTRY_SIZE;

    private final String deviceName;
    private final BackendSelector selector;
    private long migrations;
    private boolean blobEnabled;
    private final IntMap<Resource> resources = new IntMap<>();
    private final Scanout[] scanouts;
    private final Cursor cursor = new Cursor();
    private final GpuStats stats = new GpuStats();
    private final long quotaBytes;
    private long usedBytes;
    private GuestMemory memory;
    private volatile DisplaySink[] sinks = new DisplaySink[0];
    /** Contexts exist only on a device configured with the cross-domain capset. */
    private final GpuContexts contexts;
    /** The transport's HOST_VISIBLE region of the current activation, or null. */
    private SharedMemoryWindow hostVisible;
    private final GpuContexts.RingWriter ringWriter = this::writeRing;

    public GpuState(GpuSettings settings, BackendSelector selector) {
        this.deviceName = settings.name();
        this.selector = selector;
        this.quotaBytes = settings.quotaBytes();
        this.contexts = settings.crossDomain() ? new GpuContexts() : null;
        this.scanouts = new Scanout[settings.numScanouts()];
        for (int i = 0; i < scanouts.length; i++) {
            scanouts[i] = new Scanout(i, settings.width(), settings.height(), stats);
        }
    }

    public String deviceName() {
        return deviceName;
    }

    /** The guest memory of the current activation (null when inactive). */
    public synchronized void setMemory(GuestMemory memory) {
        this.memory = memory;
    }

    /** The transport's host-visible region for MAP_BLOB (null: MAP_BLOB answers ERR_UNSPEC). */
    public synchronized void setHostVisible(SharedMemoryWindow window) {
        this.hostVisible = window;
    }

    /** Whether this device speaks contexts (VIRGL + CONTEXT_INIT with the cross-domain capset). */
    public boolean contextsEnabled() {
        return contexts != null;
    }

    public synchronized void addSink(DisplaySink sink) {
        DisplaySink[] s = Arrays.copyOf(sinks, sinks.length + 1);
        s[s.length - 1] = sink;
        sinks = s;
    }

    public synchronized void removeSink(DisplaySink sink) {
        sinks = Arrays.stream(sinks).filter(s -> s != sink).toArray(DisplaySink[]::new);
    }

    public int numScanouts() {
        return scanouts.length;
    }

    GpuStats stats() {
        return stats;
    }

    /** Changes a scanout's preferred mode (the device then raises EVENT_DISPLAY). */
    public synchronized void setPreferredMode(int scanoutId, int width, int height) {
        scanouts[scanoutId].preferredWidth = width;
        scanouts[scanoutId].preferredHeight = height;
    }

    // ---- commands ----

    /** GET_DISPLAY_INFO: writes the 16 pmodes after the header. */
    int displayInfo(ByteBuffer resp) {
        for (int i = 0; i < MAX_SCANOUTS; i++) {
            int o = HDR_SIZE + i * DISPLAY_ONE_SIZE;
            boolean present = i < scanouts.length;
            resp.putInt(o, 0);
            resp.putInt(o + 4, 0);
            resp.putInt(o + 8, present ? scanouts[i].preferredWidth : 0);
            resp.putInt(o + 12, present ? scanouts[i].preferredHeight : 0);
            resp.putInt(o + 16, present ? 1 : 0);
            resp.putInt(o + 20, 0);
        }
        return RESP_OK_DISPLAY_INFO;
    }

    int createResource2d(int resourceId, int format, long width, long height) {
        if (resourceId == 0 || resources.get(resourceId) != null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (!isValidFormat(format) || width == 0 || height == 0) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        // width, height < 2^32: check before multiplying so the size cannot overflow a long.
        if (width > (Long.MAX_VALUE / BYTES_PER_PIXEL) / height) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        long size = width * height * BYTES_PER_PIXEL;
        long charge = size + RESOURCE_OVERHEAD;
        if (charge > quotaBytes - usedBytes || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        ResourceSpec spec = new ResourceSpec(resourceId, format, (int) width, (int) height);
        BackendSelector.Selection sel = selector.select(deviceName, spec, null);
        if (sel.backend() == null) {
            LOG.log(Level.DEBUG, "{0}: no backend for resource {1}: {2}", deviceName, resourceId, sel.reason());
            return RESP_ERR_OUT_OF_MEMORY;
        }
        BackendResource store;
        try {
            store = sel.backend().create(spec);
        } catch (BackendException e) {
            LOG.log(Level.DEBUG, "{0}: {1} could not create resource {2}: {3}", deviceName, sel.backend().name(), resourceId, e.getMessage());
            return e.outOfMemory() ? RESP_ERR_OUT_OF_MEMORY : RESP_ERR_UNSPEC;
        }
        register(new Resource(spec), sel, store, charge);
        return RESP_OK_NODATA;
    }

    /** A new resource with its pixels in store: charged to the quota and known to the guest from now on. */
    private Resource register(Resource r, BackendSelector.Selection sel, BackendResource store, long charge) {
        r.backend = sel.backend();
        r.backendReason = sel.reason();
        r.store = store;
        r.storeCharge = charge;
        usedBytes += charge;
        resources.put(r.spec.resourceId(), r);
        return r;
    }

    int unref(int resourceId) {
        Resource r = resources.remove(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        for (Scanout s : scanouts) {
            if (s.resource == r) {
                disable(s);
            }
        }
        if (cursor.resourceId == resourceId) {
            cursor.resourceId = 0; // the image was copied at UPDATE_CURSOR and stays visible
        }
        unmap(r); // the guest loses the mapping before the memory behind it goes
        if (contexts != null) {
            contexts.resourceGone(resourceId);
        }
        if (r.store != null) {
            r.store.destroy();
        }
        usedBytes -= r.storeCharge + r.backingCharge;
        return RESP_OK_NODATA;
    }

    /** Whether the driver negotiated RESOURCE_BLOB (blob commands are unknown commands otherwise). */
    public synchronized boolean blobEnabled() {
        return blobEnabled;
    }

    public synchronized void setBlobEnabled(boolean enabled) {
        blobEnabled = enabled;
    }

    /**
     * RESOURCE_CREATE_BLOB. Only GUEST blobs exist without a 3D context; MAPPABLE needs a
     * host-visible region, which this device has not (yet), so it is refused like HOST3D.
     * Everything is checked before anything is allocated.
     */
    int createBlob(int ctxId, int resourceId, long blobMem, long flags, long count, long blobId, long size, ByteBuffer req, int index) {
        if (resourceId == 0 || resources.get(resourceId) != null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if ((flags & ~(long) (BLOB_FLAG_USE_MAPPABLE | BLOB_FLAG_USE_SHAREABLE | BLOB_FLAG_USE_CROSS_DEVICE)) != 0) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (blobMem == BLOB_MEM_HOST3D && contexts != null) {
            return createHostBlob(ctxId, resourceId, flags, count, blobId, size);
        }
        // A guest maps a GUEST blob's pages itself; MAPPABLE is only meaningful where contexts (and their rings) exist.
        if (blobMem != BLOB_MEM_GUEST || ((flags & BLOB_FLAG_USE_MAPPABLE) != 0 && contexts == null)) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (blobId != 0 || size <= 0 || size > Integer.MAX_VALUE || count > MAX_BACKING_ENTRIES) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        long total = backingTotal(req, index, count);
        if (total < size) {
            return RESP_ERR_INVALID_PARAMETER; // an entry outside guest RAM (-1), or too little
        }
        long charge = size + RESOURCE_OVERHEAD;
        long backingCharge = count * BACKING_ENTRY_COST;
        if (charge + backingCharge > quotaBytes - usedBytes) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        Resource r = new Resource(new ResourceSpec(resourceId, 0, 0, 0));
        r.blob = true;
        r.blobFlags = flags;
        r.blobSize = size;
        r.backing = readBacking(req, index, count);
        r.backendReason = "a blob gets its backend with its scanout layout (SET_SCANOUT_BLOB)";
        r.storeCharge = charge;
        r.backingCharge = backingCharge;
        usedBytes += charge + backingCharge;
        resources.put(resourceId, r);
        return RESP_OK_NODATA;
    }

    /**
     * SET_SCANOUT_BLOB: the blob's pixels, as (format, width, height, stride, offset), go on a
     * scanout. The layout is checked against the blob size; the blob then gets a backend resource
     * of stride/4 x height over the pages from offset on, and the current guest pixels.
     */
    int setScanoutBlob(long scanoutId, int resourceId, long x, long y, long w, long h,
            long width, long height, int format, long stride, long offset) {
        if (scanoutId >= scanouts.length) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        if (resourceId == 0) {
            disable(scanouts[(int) scanoutId]);
            return RESP_OK_NODATA;
        }
        Resource r = resources.get(resourceId);
        if (r == null || !r.blob) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (!isValidFormat(format) || width == 0 || height == 0 || stride < width * BYTES_PER_PIXEL || stride % BYTES_PER_PIXEL != 0
                || offset + stride * (height - 1) + width * BYTES_PER_PIXEL > r.blobSize) {
            return RESP_ERR_INVALID_PARAMETER; // all operands < 2^32: the sum cannot overflow a long
        }
        if (w == 0 || h == 0 || x + w > width || y + h > height) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        ResourceSpec layout = new ResourceSpec(resourceId, format, (int) (stride / BYTES_PER_PIXEL), (int) height);
        if (r.host3d) {
            // Host memory laid out as GET_IMAGE_REQUIREMENTS said: a scanout must read it that way.
            if (format != r.spec.format() || layout.width() != r.spec.width() || height != r.spec.height() || offset != 0) {
                return RESP_ERR_INVALID_PARAMETER;
            }
        } else if (r.store == null || !layout.equals(r.spec) || r.blobOffset != offset) {
            BackingList pages = blobPages(r, offset, stride, height);
            BackendSelector.Selection sel = selector.select(deviceName, layout, pages);
            if (sel.backend() == null) {
                return RESP_ERR_OUT_OF_MEMORY;
            }
            try {
                BackendResource store = sel.backend().create(layout);
                store.attachBacking(memory, pages);
                if (r.store != null) {
                    r.store.destroy();
                }
                r.store = store;
                r.backend = sel.backend();
                r.backendReason = sel.reason();
            } catch (BackendException e) {
                return e.outOfMemory() ? RESP_ERR_OUT_OF_MEMORY : RESP_ERR_UNSPEC;
            }
            r.layout(layout);
            r.blobOffset = offset;
        }
        int result = syncBlob(r, x, y, w, h);
        return result != RESP_OK_NODATA ? result : setScanout(scanoutId, resourceId, x, y, w, h);
    }

    /** The pages a resource's store reads: a blob's from its layout offset on, else the whole backing. */
    private static BackingList storeBacking(Resource r) {
        return r.blob ? blobPages(r, r.blobOffset, r.spec.stride(), r.height) : r.backing;
    }

    /** A blob's pages for a layout: from offset, stride x height bytes or to the blob's end. */
    private static BackingList blobPages(Resource r, long offset, long stride, long height) {
        return r.backing.slice(offset, Math.min(r.blobSize - offset, stride * height));
    }

    /** A guest blob is never transferred by the driver: the host reads the rect from the pages. */
    private int syncBlob(Resource r, long x, long y, long w, long h) {
        if (r.store == null || w == 0 || h == 0) {
            return RESP_OK_NODATA;
        }
        try {
            long copied = r.store.transferToHost(memory, (int) x, (int) y, (int) w, (int) h, y * r.spec.stride() + x * BYTES_PER_PIXEL);
            stats.addTransfer(r.backend.name(), w * h * BYTES_PER_PIXEL, copied);
            return RESP_OK_NODATA;
        } catch (GuestMemoryException e) {
            return RESP_ERR_INVALID_PARAMETER;
        }
    }

    int setScanout(long scanoutId, int resourceId, long x, long y, long w, long h) {
        if (scanoutId >= scanouts.length) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        Scanout s = scanouts[(int) scanoutId];
        if (resourceId == 0) {
            disable(s);
            return RESP_OK_NODATA;
        }
        Resource r = resources.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (w == 0 || h == 0 || x + w > r.width || y + h > r.height) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (s.resource != null) {
            s.resource.scanoutMask &= ~(1 << s.id);
        }
        s.resource = r;
        r.scanoutMask |= 1 << s.id;
        s.x = (int) x;
        s.y = (int) y;
        s.width = (int) w;
        s.height = (int) h;
        for (DisplaySink sink : sinks) {
            sink.scanoutConfigured(deviceName, s.id, s.width, s.height);
        }
        return RESP_OK_NODATA;
    }

    private void disable(Scanout s) {
        if (s.resource == null) {
            return;
        }
        s.resource.scanoutMask &= ~(1 << s.id);
        s.resource = null;
        s.x = s.y = s.width = s.height = 0;
        for (DisplaySink sink : sinks) {
            sink.scanoutDisabled(deviceName, s.id);
        }
    }

    int flush(int resourceId, long x, long y, long w, long h) {
        Resource r = resources.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (x + w > r.width || y + h > r.height) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (r.blob) {
            int synced = syncBlob(r, x, y, w, h);
            if (synced != RESP_OK_NODATA) {
                return synced;
            }
        }
        DisplaySink[] targets = sinks;
        if (r.scanoutMask == 0 || targets.length == 0) {
            return RESP_OK_NODATA;
        }
        for (Scanout s : scanouts) {
            if (s.resource != r) {
                continue;
            }
            // Damage = flush rect clipped to the scanout's rect, in scanout coordinates.
            long x0 = Math.max(x, s.x);
            long y0 = Math.max(y, s.y);
            long x1 = Math.min(x + w, (long) s.x + s.width);
            long y1 = Math.min(y + h, (long) s.y + s.height);
            if (x1 <= x0 || y1 <= y0) {
                continue;
            }
            for (DisplaySink sink : targets) {
                sink.damaged(deviceName, s.id, (int) (x0 - s.x), (int) (y0 - s.y), (int) (x1 - x0), (int) (y1 - y0), s);
            }
        }
        return RESP_OK_NODATA;
    }

    int transferToHost2d(int resourceId, long x, long y, long w, long h, long offset) {
        Resource r = resources.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.blob && r.store == null) {
            // A blob has pixels once SET_SCANOUT_BLOB gave it a layout; Linux sends a blob dumb
            // buffer's first TRANSFER before that: nothing to sync (QEMU answers OK_NODATA too).
            return RESP_OK_NODATA;
        }
        if (x + w > r.width || y + h > r.height) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (r.blob) {
            return syncBlob(r, x, y, w, h); // the layout, not the guest's offset, says where rows are
        }
        if (w == 0 || h == 0) {
            return RESP_OK_NODATA;
        }
        // Row k of the rect is read from backing [offset + k * stride, + w * 4): the last row must end inside.
        long backing = r.backingBytes();
        long span = (h - 1) * r.spec.stride() + w * BYTES_PER_PIXEL; // < 2^31: the resource fits the quota
        if (offset < 0 || offset > backing || span > backing - offset) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        try {
            long copied = r.store.transferToHost(memory, (int) x, (int) y, (int) w, (int) h, offset);
            stats.addTransfer(r.backend.name(), w * h * BYTES_PER_PIXEL, copied);
        } catch (GuestMemoryException e) { // guest memory changed under an attached backing
            LOG.log(Level.DEBUG, "{0}: transfer to resource {1} failed: {2}", deviceName, resourceId, e.getMessage());
            return RESP_ERR_UNSPEC;
        }
        return RESP_OK_NODATA;
    }

    /**
     * RESOURCE_ATTACH_BACKING with count entries {le64 addr, le32 length, le32 pad} at req[index ..].
     * Everything is validated before anything is allocated.
     */
    int attachBacking(int resourceId, ByteBuffer req, int index, long count) {
        Resource r = resources.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (count > MAX_BACKING_ENTRIES) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (r.backing != null || r.host3d) {
            return RESP_ERR_UNSPEC; // as QEMU: a resource has one backing; detach first. A HOST3D blob has none.
        }
        GuestMemory mem = memory;
        long total = backingTotal(req, index, count);
        if (total < r.spec.sizeBytes()) {
            return RESP_ERR_INVALID_PARAMETER; // an entry outside guest RAM (-1), or too little
        }
        long charge = count * BACKING_ENTRY_COST;
        if (charge > quotaBytes - usedBytes) {
            return RESP_ERR_OUT_OF_MEMORY;
        }
        BackingList backing = readBacking(req, index, count);
        int migrated = reselect(r, backing);
        if (migrated != RESP_OK_NODATA) {
            return migrated;
        }
        try {
            r.store.attachBacking(mem, backing);
        } catch (BackendException e) {
            return e.outOfMemory() ? RESP_ERR_OUT_OF_MEMORY : RESP_ERR_UNSPEC;
        }
        r.backing = backing;
        r.backingCharge = charge;
        usedBytes += charge;
        return RESP_OK_NODATA;
    }

    /** Sum of the scatter list's lengths, or -1 if an entry lies outside guest RAM or is 2 GiB or more. */
    private long backingTotal(ByteBuffer req, int index, long count) {
        GuestMemory mem = memory;
        long total = 0;
        for (int i = 0; i < count; i++) {
            int e = index + i * MEM_ENTRY_SIZE;
            long addr = req.getLong(e);
            long len = u32(req, e + 8);
            // An entry of 2 GiB or more cannot be expressed in the SPI's int lengths; no guest driver sends one.
            if (len > Integer.MAX_VALUE || mem == null || !mem.isValid(addr, len)) {
                return -1;
            }
            total += len;
        }
        return total;
    }

    private BackingList readBacking(ByteBuffer req, int index, long count) {
        long[] addrs = new long[(int) count];
        int[] lens = new int[(int) count];
        for (int i = 0; i < count; i++) {
            int e = index + i * MEM_ENTRY_SIZE;
            addrs[i] = req.getLong(e);
            lens[i] = req.getInt(e + 8);
        }
        return new BackingList(addrs, lens, memory);
    }

    /**
     * Asks the selector again now that the guest pages are known (a zero-copy backend may take a
     * resource whose pages qualify); moves the resource if the choice changed. Pixels are not
     * carried over: the guest transfers after attaching anyway.
     */
    private int reselect(Resource r, BackingList backing) {
        BackendSelector.Selection sel = selector.select(deviceName, r.spec, backing);
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
            r.store = store;
            r.backend = chosen;
            r.backendReason = sel.reason();
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
    public synchronized String migrate(int resourceId, ResourceBackend target, String why) throws BackendException {
        Resource r = resources.get(resourceId);
        if (r == null) {
            throw new BackendException("no resource " + Integer.toUnsignedString(resourceId), false);
        }
        if (r.backend == target) {
            return "resource " + Integer.toUnsignedString(resourceId) + " is already on " + target.name();
        }
        if (r.store == null) {
            throw new BackendException("blob " + Integer.toUnsignedString(resourceId) + " has no pixels yet (no scanout layout)", false);
        }
        if (r.spec.hostVisible() && !target.capabilities().hostVisibleMapping()) {
            throw new BackendException(target.name() + " declined: no host memory it can map into the guest", false);
        }
        if (r.mappedAt >= 0) {
            // The guest writes the mapped pages directly: a copy made now could miss its next writes.
            throw new BackendException("blob " + Integer.toUnsignedString(resourceId) + " is mapped into the guest at 0x"
                    + Long.toHexString(r.mappedAt) + "; it can move once the guest unmaps it", false);
        }
        Probe probe = target.probe(r.spec, r.backing);
        if (!probe.accepts()) {
            throw new BackendException(target.name() + " declined: " + probe.reason(), false);
        }
        BackendResource store = target.create(r.spec);
        try {
            if (r.backing != null) {
                store.attachBacking(memory, storeBacking(r));
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
        return "resource " + Integer.toUnsignedString(resourceId) + " moved from " + from + " to " + target.name();
    }

    /** Moves every resource off a backend that is leaving, each to what the selector picks now. */
    public synchronized List<String> migrateAllFrom(ResourceBackend leaving) {
        List<String> report = new ArrayList<>();
        for (Resource r : new ArrayList<>(resources.values())) {
            if (r.backend != leaving || r.store == null) {
                continue;
            }
            BackendSelector.Selection sel = selector.select(deviceName, r.spec, r.backing);
            try {
                if (sel.backend() == null) {
                    throw new BackendException("no backend accepts it: " + sel.reason(), false);
                }
                report.add(migrate(r.spec.resourceId(), sel.backend(), leaving.name() + " left; " + sel.reason()));
            } catch (BackendException e) {
                LOG.log(Level.ERROR, "{0}: resource {1} stays on departing backend {2}: {3}", deviceName,
                        Integer.toUnsignedString(r.spec.resourceId()), leaving.name(), e.getMessage());
                report.add("resource " + Integer.toUnsignedString(r.spec.resourceId()) + " not moved: " + e.getMessage());
            }
        }
        return report;
    }

    /** Moves each resource to the backend the policy picks now, where that differs (vgpu:rebalance). */
    public synchronized List<String> rebalance() {
        List<String> report = new ArrayList<>();
        for (Resource r : new ArrayList<>(resources.values())) {
            if (r.store == null) {
                continue;
            }
            BackendSelector.Selection sel = selector.select(deviceName, r.spec, r.backing);
            if (sel.backend() == null || sel.backend() == r.backend) {
                continue;
            }
            try {
                report.add(migrate(r.spec.resourceId(), sel.backend(), "rebalance; " + sel.reason()));
            } catch (BackendException e) {
                report.add("resource " + Integer.toUnsignedString(r.spec.resourceId()) + " not moved: " + e.getMessage());
            }
        }
        return report;
    }

    int detachBacking(int resourceId) {
        Resource r = resources.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.blob) {
            return RESP_ERR_UNSPEC; // a guest blob's pages belong to it for its lifetime
        }
        if (r.backing != null) {
            keepPixelsOnHost(r);
            r.store.detachBacking();
            r.backing = null;
            usedBytes -= r.backingCharge;
            r.backingCharge = 0;
        }
        return RESP_OK_NODATA;
    }

    /**
     * A zero-copy resource's pixels are the guest pages being detached: before they go, the
     * resource moves to a backend that keeps a host copy (the selector asked without backing, so
     * zero-copy backends decline), and the scanout keeps showing the same image.
     */
    private void keepPixelsOnHost(Resource r) {
        if (!r.backend.capabilities().zeroCopy()) {
            return;
        }
        BackendSelector.Selection sel = selector.select(deviceName, r.spec, null);
        try {
            if (sel.backend() == null) {
                throw new BackendException(sel.reason(), false);
            }
            migrate(r.spec.resourceId(), sel.backend(), "backing detached from a zero-copy resource; " + sel.reason());
        } catch (BackendException e) {
            LOG.log(Level.WARNING, "{0}: resource {1} loses its pixels with its backing: {2}", deviceName,
                    Integer.toUnsignedString(r.spec.resourceId()), e.getMessage());
        }
    }

    /** GET_EDID: {le32 size, le32 padding, u8 edid[1024]} after the header. */
    int edid(long scanoutId, ByteBuffer resp) {
        if (scanoutId >= scanouts.length) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        Scanout s = scanouts[(int) scanoutId];
        resp.putInt(HDR_SIZE, Edid.SIZE);
        resp.putInt(HDR_SIZE + 4, 0);
        for (int i = HDR_SIZE + 8; i < RESP_EDID_SIZE; i += 8) {
            resp.putLong(i, 0);
        }
        Edid.write(resp, HDR_SIZE + 8, s.preferredWidth, s.preferredHeight, s.id + 1);
        return RESP_OK_EDID;
    }

    /** RESOURCE_ASSIGN_UUID: a random (v4) UUID, the same one on every later call. */
    int assignUuid(int resourceId, ByteBuffer resp) {
        Resource r = resources.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.uuid == null) {
            r.uuid = UUID.randomUUID();
        }
        ByteBuffer be = resp.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN); // RFC 4122 byte order
        be.putLong(HDR_SIZE, r.uuid.getMostSignificantBits());
        be.putLong(HDR_SIZE + 8, r.uuid.getLeastSignificantBits());
        return RESP_OK_RESOURCE_UUID;
    }

    /** UPDATE_CURSOR: copies up to 64x64 pixels of the resource as the cursor image; resource 0 hides it. */
    int updateCursor(long scanoutId, int x, int y, int resourceId, int hotX, int hotY) {
        if (scanoutId >= scanouts.length) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        int sid = (int) scanoutId;
        if (resourceId == 0) {
            cursor.visible = false;
            cursor.loaded = false;
            cursor.resourceId = 0;
            for (DisplaySink sink : sinks) {
                sink.cursorHidden(deviceName, sid);
            }
            return RESP_OK_NODATA;
        }
        Resource r = resources.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.store == null) {
            return RESP_ERR_INVALID_PARAMETER; // a blob without a layout has no pixels to show
        }
        int w = Math.min(CURSOR_SIZE, r.width);
        int h = Math.min(CURSOR_SIZE, r.height);
        cursor.clearImage();
        r.store.readPixels(0, 0, w, h, cursor.raw, 0, CURSOR_SIZE * 4);
        PixelFormat f = PixelFormat.of(r.spec.format());
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                int i = (row * CURSOR_SIZE + col) * 4;
                cursor.image.putInt(i, f.argb(cursor.raw, i));
            }
        }
        cursor.visible = true;
        cursor.resourceId = resourceId;
        cursor.hotX = hotX;
        cursor.hotY = hotY;
        cursor.scanoutId = sid;
        cursor.x = x;
        cursor.y = y;
        cursor.loaded = true;
        for (DisplaySink sink : sinks) {
            sink.cursorUpdated(deviceName, sid, cursor.imageView, x, y, hotX, hotY);
        }
        return RESP_OK_NODATA;
    }

    /**
     * MOVE_CURSOR: the image stays, the position changes. Resource 0 hides the cursor (as QEMU's
     * devices do); a move with a resource shows the last image again.
     */
    int moveCursor(long scanoutId, int x, int y, int resourceId) {
        if (scanoutId >= scanouts.length) {
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        cursor.scanoutId = (int) scanoutId;
        cursor.x = x;
        cursor.y = y;
        if (resourceId == 0) {
            boolean wasVisible = cursor.visible;
            cursor.visible = false;
            if (wasVisible) {
                for (DisplaySink sink : sinks) {
                    sink.cursorHidden(deviceName, cursor.scanoutId);
                }
            }
            return RESP_OK_NODATA;
        }
        cursor.visible = cursor.loaded;
        if (cursor.visible) {
            for (DisplaySink sink : sinks) {
                sink.cursorMoved(deviceName, cursor.scanoutId, x, y);
            }
        }
        return RESP_OK_NODATA;
    }

    /** Device reset: every resource is destroyed, scanouts disabled, cursor hidden; stats are kept. */
    public synchronized void reset() {
        for (Scanout s : scanouts) {
            disable(s);
        }
        for (Resource r : resources.values()) {
            unmap(r); // before the memory behind the mapping goes
            if (r.store != null) {
                r.store.destroy();
            }
        }
        resources.clear();
        if (contexts != null) {
            contexts.clear();
        }
        usedBytes = 0;
        cursor.reset();
    }

    // ---- contexts, 3D-as-2D and host-visible blobs ----

    /** GET_CAPSET_INFO: index 0 is the cross-domain capset on a device with contexts. */
    int capsetInfo(long index, ByteBuffer resp) {
        if (contexts == null || index != 0) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        resp.putInt(HDR_SIZE, CAPSET_CROSS_DOMAIN);
        resp.putInt(HDR_SIZE + 4, 0);   // max version
        resp.putInt(HDR_SIZE + 8, CROSS_DOMAIN_CAPABILITIES_SIZE);
        resp.putInt(HDR_SIZE + 12, 0);
        return RESP_OK_CAPSET_INFO;
    }

    /** GET_CAPSET: the cross-domain capabilities; no channels (no Wayland proxy), no dma-buf import. */
    int capset(long capsetId, long version, ByteBuffer resp) {
        if (contexts == null || capsetId != CAPSET_CROSS_DOMAIN || version != 0) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        resp.putInt(HDR_SIZE, CROSS_DOMAIN_VERSION);
        resp.putInt(HDR_SIZE + 4, 0);   // supported_channels
        resp.putInt(HDR_SIZE + 8, 0);   // supports_dmabuf
        resp.putInt(HDR_SIZE + 12, 0);  // supports_external_gpu_memory
        return RESP_OK_CAPSET;
    }

    int ctxCreate(int ctxId, long nameLength, long contextInit, ByteBuffer req, int nameIndex) {
        return contexts == null ? RESP_ERR_UNSPEC : contexts.create(ctxId, nameLength, contextInit, req, nameIndex);
    }

    int ctxDestroy(int ctxId) {
        return contexts == null ? RESP_ERR_UNSPEC : contexts.destroy(ctxId);
    }

    int ctxAttach(int ctxId, int resourceId) {
        return contexts == null ? RESP_ERR_UNSPEC : contexts.attach(ctxId, resourceId, resources.get(resourceId) != null);
    }

    int ctxDetach(int ctxId, int resourceId) {
        return contexts == null ? RESP_ERR_UNSPEC : contexts.detach(ctxId, resourceId);
    }

    int submit3d(int ctxId, ByteBuffer req, int index, long size) {
        return contexts == null ? RESP_ERR_UNSPEC : contexts.submit(ctxId, req, index, size, ringWriter);
    }

    /** The query ring is a GUEST blob: its first bytes are written through its checked guest pages. */
    private boolean writeRing(int resourceId, ByteBuffer src, int length) {
        Resource r = resources.get(resourceId);
        if (r == null || !r.blob || r.host3d || r.backing == null || r.blobSize < length || memory == null) {
            return false;
        }
        BackingList pages = r.backing.slice(0, length);
        int done = 0;
        try {
            for (int i = 0; i < pages.entries() && done < length; i++) {
                int n = Math.min(pages.length(i), length - done);
                memory.write(pages.address(i), src, done, n);
                done += n;
            }
        } catch (GuestMemoryException e) {
            return false;
        }
        return done == length;
    }

    /**
     * RESOURCE_CREATE_BLOB(HOST3D): redeems a blob_id that GET_IMAGE_REQUIREMENTS gave this context;
     * the pixels live in host memory of a backend that can map them into the guest (hostmem).
     */
    private int createHostBlob(int ctxId, int resourceId, long flags, long count, long blobId, long size) {
        if (!contexts.exists(ctxId)) {
            return RESP_ERR_INVALID_CONTEXT_ID;
        }
        if (count != 0) {
            return RESP_ERR_INVALID_PARAMETER; // host memory: no guest pages
        }
        GpuContexts.Image image = contexts.takeImage(ctxId, blobId);
        if (image == null) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (size != image.size()) {
            contexts.returnImage(ctxId, blobId, image);
            return RESP_ERR_INVALID_PARAMETER;
        }
        long charge = size + RESOURCE_OVERHEAD;
        if (charge > quotaBytes - usedBytes) {
            contexts.returnImage(ctxId, blobId, image);
            return RESP_ERR_OUT_OF_MEMORY;
        }
        ResourceSpec spec = new ResourceSpec(resourceId, image.format(), image.width(), image.height(), true);
        BackendSelector.Selection sel = selector.select(deviceName, spec, null);
        BackendResource store;
        try {
            if (sel.backend() == null) {
                throw new BackendException(sel.reason(), true);
            }
            store = sel.backend().create(spec);
        } catch (BackendException e) {
            LOG.log(Level.DEBUG, "{0}: no host memory for blob {1}: {2}", deviceName, resourceId, e.getMessage());
            contexts.returnImage(ctxId, blobId, image);
            return RESP_ERR_OUT_OF_MEMORY;
        }
        Resource r = register(new Resource(spec), sel, store, charge);
        r.blob = true;
        r.host3d = true;
        r.blobFlags = flags;
        r.blobSize = size;
        contexts.attach(ctxId, resourceId, true);
        return RESP_OK_NODATA;
    }

    /** RESOURCE_MAP_BLOB: maps a HOST3D MAPPABLE blob's host memory at offset of the host-visible region. */
    int mapBlob(int resourceId, long offset, ByteBuffer resp) {
        Resource r = resources.get(resourceId);
        if (r == null || !r.host3d) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        SharedMemoryWindow window = hostVisible;
        if (window == null) {
            return RESP_ERR_UNSPEC; // the transport has no host-visible region
        }
        long length = blobAligned(r.blobSize);
        if ((r.blobFlags & BLOB_FLAG_USE_MAPPABLE) == 0 || r.mappedAt >= 0 || (offset & (BLOB_ALIGNMENT - 1)) != 0
                || offset < 0 || offset > window.size() || length > window.size() - offset) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        for (Resource other : resources.values()) {
            long otherLength = blobAligned(other.blobSize);
            if (other.mappedAt >= 0 && offset < other.mappedAt + otherLength && other.mappedAt < offset + length) {
                return RESP_ERR_INVALID_PARAMETER; // overlaps another mapped blob
            }
        }
        int fd = r.store.mappableFd();
        if (fd < 0) {
            return RESP_ERR_UNSPEC;
        }
        try {
            window.map(offset, fd, 0, length, true);
        } catch (SharedMemoryWindow.MappingException e) {
            LOG.log(Level.DEBUG, "{0}: MAP_BLOB {1} at {2}: {3}", deviceName, resourceId, offset, e.getMessage());
            return RESP_ERR_INVALID_PARAMETER;
        }
        r.mappedAt = offset;
        resp.putInt(HDR_SIZE, MAP_CACHE_CACHED);
        resp.putInt(HDR_SIZE + 4, 0);
        return RESP_OK_MAP_INFO;
    }

    int unmapBlob(int resourceId) {
        Resource r = resources.get(resourceId);
        if (r == null || !r.host3d) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.mappedAt < 0) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        unmap(r);
        return RESP_OK_NODATA;
    }

    private void unmap(Resource r) {
        if (r.mappedAt < 0) {
            return;
        }
        SharedMemoryWindow window = hostVisible;
        if (window != null) {
            try {
                window.unmap(r.mappedAt, blobAligned(r.blobSize));
            } catch (SharedMemoryWindow.MappingException e) {
                LOG.log(Level.WARNING, "{0}: unmapping blob {1}: {2}", deviceName, Integer.toUnsignedString(r.spec.resourceId()), e.getMessage());
            }
        }
        r.mappedAt = -1;
    }

    /** RESOURCE_CREATE_3D as Linux sends it for dumb buffers with VIRGL on: a plain 2D texture, served as a 2D resource. */
    int createResource3d(int resourceId, long target, int format, long width, long height, long depth, long arraySize,
            long lastLevel, long samples) {
        if (contexts == null) {
            return RESP_ERR_UNSPEC;
        }
        if (target != PIPE_TEXTURE_2D || depth != 1 || arraySize != 1 || lastLevel != 0 || samples > 1) {
            return RESP_ERR_INVALID_PARAMETER; // no renderer for other targets, mipmaps or multisampling
        }
        return createResource2d(resourceId, format, width, height);
    }

    /** TRANSFER_TO_HOST_3D of a 2D resource: one layer, level 0, rows at the resource's stride. */
    int transferToHost3d(int resourceId, long x, long y, long z, long w, long h, long d, long offset, long level, long stride) {
        if (contexts == null) {
            return RESP_ERR_UNSPEC;
        }
        Resource r = resources.get(resourceId);
        if (r == null) {
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (z != 0 || d > 1 || level != 0 || (stride != 0 && stride != r.spec.stride())) {
            return RESP_ERR_INVALID_PARAMETER;
        }
        return transferToHost2d(resourceId, x, y, w, h, offset);
    }

    public synchronized Map<Integer, String> contexts() {
        return contexts == null ? Map.of() : contexts.describe();
    }

    // ---- inspection (shell, screenshots, tests) ----

    /** Resources moved between backends so far. */
    public synchronized long migrations() {
        return migrations;
    }

    public synchronized long usedBytes() {
        return usedBytes;
    }

    public long quotaBytes() {
        return quotaBytes;
    }

    /** A snapshot of the counters. */
    public synchronized GpuStats statsSnapshot() {
        return stats.copy();
    }

    public synchronized List<ResourceInfo> resources() {
        List<ResourceInfo> list = new ArrayList<>();
        for (Resource r : resources.values()) {
            list.add(info(r));
        }
        list.sort((a, b) -> Integer.compareUnsigned(a.id(), b.id()));
        return list;
    }

    /** The backend store of a resource (tests, benchmarks); caller holds the state lock. */
    BackendResource store(int id) {
        Resource r = resources.get(id);
        return r == null ? null : r.store;
    }

    public synchronized ResourceInfo resource(int id) {
        Resource r = resources.get(id);
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
        List<ScanoutInfo> list = new ArrayList<>();
        for (Scanout s : scanouts) {
            list.add(new ScanoutInfo(s.id, s.preferredWidth, s.preferredHeight, s.resource == null ? 0 : s.resource.spec.resourceId(),
                    s.x, s.y, s.width, s.height));
        }
        return list;
    }

    public synchronized CursorInfo cursor() {
        return new CursorInfo(cursor.visible, cursor.scanoutId, cursor.x, cursor.y, cursor.hotX, cursor.hotY, cursor.resourceId);
    }

    /**
     * The scanout as 0xAARRGGBB pixels (row-major, width x height), or null if disabled; with
     * withCursor the visible cursor is blended in, as a display would show it.
     */
    public synchronized Frame capture(int scanoutId, boolean withCursor) {
        if (scanoutId < 0 || scanoutId >= scanouts.length || scanouts[scanoutId].resource == null) {
            return null;
        }
        Scanout s = scanouts[scanoutId];
        ByteBuffer row = ByteBuffer.allocate(s.width * BYTES_PER_PIXEL);
        PixelFormat f = s.format();
        int[] argb = new int[s.width * s.height];
        for (int y = 0; y < s.height; y++) {
            s.read(0, y, s.width, 1, row, 0, row.capacity());
            for (int x = 0; x < s.width; x++) {
                argb[y * s.width + x] = f.argb(row, x * BYTES_PER_PIXEL);
            }
        }
        if (withCursor && cursor.visible && cursor.scanoutId == scanoutId) {
            Frame.blendCursor(argb, s.width, s.height, cursor.image, cursor.x - cursor.hotX, cursor.y - cursor.hotY);
        }
        return new Frame(s.width, s.height, argb);
    }

    /** The current 64x64 cursor image (0xAARRGGBB), for tests and sinks that attach late. */
    public synchronized int[] cursorImage() {
        int[] px = new int[CURSOR_SIZE * CURSOR_SIZE];
        for (int i = 0; i < px.length; i++) {
            px[i] = cursor.image.getInt(i * 4);
        }
        return px;
    }

    public record ResourceInfo(int id, int format, int width, int height, String backend, String backendReason,
            int backingEntries, long backingBytes, long hostBytes, List<Integer> scanouts, UUID uuid,
            org.vgpu.gpu.spi.Dmabuf dmabuf, long mappedAt) {
    }

    public record ScanoutInfo(int id, int preferredWidth, int preferredHeight, int resourceId, int x, int y, int width, int height) {
    }

    public record CursorInfo(boolean visible, int scanoutId, int x, int y, int hotX, int hotY, int resourceId) {
    }
}
