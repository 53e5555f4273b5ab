package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.DisplayControl;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.queue.DescriptorChain;
import org.vgpu.virtio.queue.QueueException;
import org.vgpu.virtio.queue.SplitQueue;

/**
 * The virtio-gpu device (id 16): features, config space and the thin adapter from virtqueues to
 * the {@link CommandDecoder}. Queue 0 is the control queue, 1 the cursor queue; each has its own
 * preallocated request/response buffers and decoder so the two may be served by different threads.
 */
public class GpuDevice implements VirtioDevice {
    private static final System.Logger LOG = System.getLogger(GpuDevice.class.getName());

    static final int QUEUE_SIZE = 256;

    private final GpuState state;
    private final QueueWorker[] workers;
    private volatile DeviceActivation activation;
    private volatile long ackedFeatures;
    private int eventsRead;
    private int configGeneration;

    /**
     * One queue's buffers and decoder. The request buffer starts at a page, which holds every
     * request but a large ATTACH_BACKING or CREATE_BLOB or SUBMIT_3D, and grows once to the
     * largest the first time a chain needs it: an idle device (and every cursor queue) keeps
     * 4 KiB instead of 256 KiB resident.
     */
    private static final class QueueWorker {
        static final int INITIAL_REQUEST_SIZE = 4096;
        /** Held while the queue is drained (or the control queue's held chains completed): one thread at a time. */
        final ReentrantLock lock = new ReentrantLock();
        private ByteBuffer request = ByteBuffer.allocateDirect(INITIAL_REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer response = ByteBuffer.allocateDirect(MAX_RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        final CommandDecoder decoder;

        QueueWorker(GpuState state) {
            decoder = new CommandDecoder(state);
        }

        /** The request buffer, grown to the largest request first if a chain of `readable` bytes does not fit. */
        ByteBuffer request(int readable) {
            if (readable > request.capacity() && request.capacity() < MAX_REQUEST_SIZE) {
                request = ByteBuffer.allocateDirect(MAX_REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            }
            return request;
        }
    }

    private final BackendSelector selector;
    private final BackendSelector.Listener backendListener = this::backendLeaving;
    /** Control-queue chains waiting for their context's fence (guarded by the control worker's lock). */
    private final HeldChains held = new HeldChains();
    /** Fence signals and context ends from any thread, applied by whoever holds the control worker's lock. */
    private final Queue<FenceEvent> fenceEvents = new ConcurrentLinkedQueue<>();

    private record FenceEvent(GpuContexts.Slot slot, int ringIdx, long fenceId, boolean ended) {
    }

    /** contextTypes: the context types present from the start (as DS binds them later through {@link #addContextType}). */
    public GpuDevice(GpuSettings settings, BackendSelector selector, ContextType... contextTypes) {
        this.state = new GpuState(settings, selector, contextTypes);
        this.workers = new QueueWorker[] {new QueueWorker(state), new QueueWorker(state)};
        this.selector = selector;
        selector.addListener(backendListener);
        state.contextTable().setFenceListener(new GpuContexts.FenceListener() {
            @Override
            public void signalled(GpuContexts.Slot slot, int ringIdx, long fenceId) {
                fenceEvents.add(new FenceEvent(slot, ringIdx, fenceId, false));
                applyFenceEvents();
            }

            @Override
            public void ended(GpuContexts.Slot slot) {
                fenceEvents.add(new FenceEvent(slot, 0, 0, true));
                applyFenceEvents();
            }
        });
    }

    /** A context type is present: offered from the next feature read after a device reset. */
    public void addContextType(ContextType type) {
        state.addContextType(type);
    }

    /** A context type went away: its contexts are destroyed now, their held fences complete. */
    public void removeContextType(ContextType type) {
        state.removeContextType(type);
    }

    /** Control-queue chains held for a fence now (tests, shell). */
    public int heldChains() {
        QueueWorker w = workers[0];
        w.lock.lock();
        try {
            return held.count();
        } finally {
            w.lock.unlock();
        }
    }

    /**
     * Applies queued fence events if the control queue is free; if its worker (or another
     * signaller) holds it, that one applies them when it is done: nobody blocks on a signal.
     */
    private void applyFenceEvents() {
        QueueWorker w = workers[0];
        while (!fenceEvents.isEmpty()) {
            if (w.lock.isHeldByCurrentThread() || !w.lock.tryLock()) {
                return; // the holder applies them before it lets go (processQueue) or loops here
            }
            try {
                DeviceActivation act = activation;
                SplitQueue q = act == null ? null : act.queue(0);
                if (q == null) {
                    fenceEvents.clear();
                    held.clear();
                    return;
                }
                GuestMemory mem = act.memory();
                try (GuestMemory.Lease lease = mem.lease()) {
                    if (completeSignalled(q, mem) && q.shouldNotify(mem)) {
                        act.interrupt().signalQueue(0);
                    }
                } catch (QueueException e) {
                    act.needsReset(e.getMessage());
                }
            } finally {
                w.lock.unlock();
            }
        }
    }

    /** Caller holds the control worker's lock and a lease: completes what the queued events release. */
    private boolean completeSignalled(SplitQueue q, GuestMemory mem) throws QueueException {
        FenceEvent e = fenceEvents.poll();
        if (e == null) {
            return false; // the common case, on every kick: no completion lambda allocated
        }
        boolean any = false;
        HeldChains.Completion completion = (head, written) -> q.complete(mem, head, written);
        do {
            any |= e.ended() ? held.ended(e.slot(), completion) : held.signalled(e.slot(), e.ringIdx(), e.fenceId(), completion);
        } while ((e = fenceEvents.poll()) != null);
        return any;
    }

    /** Stops listening to the selector: the device is going away. */
    public void close() {
        selector.removeListener(backendListener);
    }

    private void backendLeaving(ResourceBackend backend) {
        for (String line : state.migrateAllFrom(backend)) {
            LOG.log(Level.INFO, "{0}: {1}", name(), line);
        }
    }

    public GpuState state() {
        return state;
    }

    public void addSink(DisplaySink sink) {
        state.addSink(sink);
        sink.attached(name(), displayControl);
    }

    public void removeSink(DisplaySink sink) {
        state.removeSink(sink);
        sink.detached(name());
    }

    /** What displays may ask of this device: a preferred mode, their own EDID. */
    private final DisplayControl displayControl = new DisplayControl() {
        @Override
        public void requestMode(int scanoutId, int width, int height) {
            GpuDevice.this.requestMode(scanoutId, width, height);
        }

        @Override
        public void displayEdid(int scanoutId, byte[] edid) {
            if (state.setDisplayEdid(scanoutId, edid)) {
                raiseDisplayEvent(); // the driver re-reads display info and EDID
            }
        }
    };

    /** A display asks for a mode on one scanout: applied and announced only if it changes something. */
    void requestMode(int scanoutId, int width, int height) {
        if (scanoutId < 0 || scanoutId >= state.numScanouts() || width <= 0 || height <= 0) {
            return;
        }
        int w = Math.max(GpuSettings.MIN_SIDE, Math.min(GpuSettings.MAX_SIDE, width));
        int h = Math.max(GpuSettings.MIN_SIDE, Math.min(GpuSettings.MAX_SIDE, height));
        synchronized (state) {
            GpuState.ScanoutInfo current = state.scanouts().get(scanoutId);
            if (current.preferredWidth() == w && current.preferredHeight() == h) {
                return;
            }
            state.setPreferredMode(scanoutId, w, h);
        }
        raiseDisplayEvent();
    }

    /**
     * Applies a new preferred mode to every scanout and tells the driver (EVENT_DISPLAY plus a
     * config interrupt), which then re-reads display info and EDID.
     */
    public void setPreferredMode(int width, int height) {
        int w = Math.max(GpuSettings.MIN_SIDE, Math.min(GpuSettings.MAX_SIDE, width));
        int h = Math.max(GpuSettings.MIN_SIDE, Math.min(GpuSettings.MAX_SIDE, height));
        synchronized (state) {
            for (int i = 0; i < state.numScanouts(); i++) {
                state.setPreferredMode(i, w, h);
            }
        }
        raiseDisplayEvent();
    }

    void raiseDisplayEvent() {
        synchronized (this) {
            eventsRead |= EVENT_DISPLAY;
            configGeneration++;
        }
        DeviceActivation a = activation;
        if (a != null) {
            a.interrupt().signalConfig();
        }
    }

    @Override
    public String name() {
        return state.deviceName();
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long offeredFeatures() {
        return state.offeredFeatures();
    }

    @Override
    public void ackFeatures(long features) {
        ackedFeatures = features & offeredFeatures();
        state.setFeatures(ackedFeatures); // the commands these enable follow what is acked now
    }

    @Override
    public long ackedFeatures() {
        return ackedFeatures;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    private synchronized int configWord(int wordOffset) {
        switch (wordOffset) {
            case CONFIG_EVENTS_READ: return eventsRead;
            case CONFIG_NUM_SCANOUTS: return state.numScanouts();
            case CONFIG_BLOB_ALIGNMENT: return BLOB_ALIGNMENT;
            case CONFIG_NUM_CAPSETS: return state.numCapsets();
            default: return 0; // events_clear reads 0
        }
    }

    @Override
    public void readConfig(int offset, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            int o = offset++;
            dst.put(o < 0 || o >= CONFIG_SIZE ? 0 : (byte) (configWord(o & ~3) >>> 8 * (o & 3)));
        }
    }

    @Override
    public void writeConfig(int offset, ByteBuffer src) {
        while (src.hasRemaining()) {
            int o = offset++;
            int b = src.get() & 0xff;
            if (o >= CONFIG_EVENTS_CLEAR && o < CONFIG_EVENTS_CLEAR + 4) { // write 1 to clear
                synchronized (this) {
                    eventsRead &= ~(b << 8 * (o - CONFIG_EVENTS_CLEAR));
                }
            }
        }
    }

    @Override
    public synchronized int configGeneration() {
        return configGeneration;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return QUEUE_SIZE;
    }

    @Override
    public void activate(DeviceActivation activation) {
        state.setMemory(activation.memory());
        state.setHostVisible(activation.sharedMemory(SHM_HOST_VISIBLE));
        this.activation = activation;
    }

    @Override
    public void processQueue(int queueIndex) {
        DeviceActivation act = activation;
        if (act == null || queueIndex < 0 || queueIndex >= workers.length) {
            return;
        }
        SplitQueue q = act.queue(queueIndex);
        if (q == null) {
            return;
        }
        QueueWorker w = workers[queueIndex];
        GuestMemory mem = act.memory();
        w.lock.lock(); // a queue is drained by one thread at a time
        try (GuestMemory.Lease lease = mem.lease()) {
            DescriptorChain c;
            while ((c = q.pop(mem)) != null) {
                int written;
                CommandDecoder.FenceWait fence = null;
                try {
                    ByteBuffer request = w.request(c.reader().remaining());
                    int n = c.reader().read(request, 0, request.capacity());
                    int out = w.decoder.handle(request, n, w.response);
                    fence = w.decoder.takeFence();
                    c.writer().write(w.response, 0, out);
                    written = c.writer().written();
                } catch (GuestMemoryException e) { // a descriptor points outside guest memory
                    LOG.log(Level.DEBUG, "{0}: bad chain on queue {1}: {2}", name(), queueIndex, e.getMessage());
                    written = 0;
                }
                if (queueIndex == 0 && fence != null && (!fence.done() || held.waiting(fence.slot(), fence.ringIdx()))) {
                    // the context's fence is pending (or an earlier one of its ring): the chain completes on its signal
                    held.hold(fence.slot(), fence.ringIdx(), fence.fenceId(), fence.done(), c.head(), written);
                } else {
                    q.complete(mem, c, written);
                }
            }
            if (queueIndex == 0) {
                completeSignalled(q, mem); // signals that came while the queue was busy
            }
            if (q.shouldNotify(mem)) {
                act.interrupt().signalQueue(queueIndex);
            }
        } catch (QueueException e) {
            act.needsReset(e.getMessage());
        } finally {
            w.lock.unlock();
        }
        if (queueIndex == 0) {
            applyFenceEvents(); // a signal that came after the last look above
        }
    }

    @Override
    public void reset() {
        activation = null;
        ackedFeatures = 0;
        state.reset();
        QueueWorker w = workers[0];
        w.lock.lock();
        try {
            held.clear(); // the driver reinitialises its queues: nothing held completes
            fenceEvents.clear();
        } finally {
            w.lock.unlock();
        }
        state.setMemory(null);
        state.setHostVisible(null);
        synchronized (this) {
            eventsRead = 0;
        }
    }

    @Override
    public DeviceActivation activation() {
        return activation;
    }
}
