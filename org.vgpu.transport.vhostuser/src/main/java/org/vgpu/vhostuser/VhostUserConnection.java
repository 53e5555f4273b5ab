package org.vgpu.vhostuser;

import static org.vgpu.vhostuser.VhostUserProtocol.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.runtime.BasicActivation;
import org.vgpu.virtio.runtime.EventFdInterrupt;
import org.vgpu.virtio.runtime.QueueWorker;
import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * One vhost-user front end (one VMM) driving one device: decodes requests, keeps the memory map,
 * vrings and eventfds, starts the queue worker once every vring is ready, and frees everything
 * when the front end goes away. Runs on its own thread ({@link #serve()}); the queue worker
 * runs on another.
 */
final class VhostUserConnection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VhostUserConnection.class.getName());
    private static final int BACKEND_CONFIG_CHANGE_MSG = 2;
    private static final int VIRTIO_CONFIG_MAX = 256;
    private static final int RING_DESC_SIZE = 16;

    private final String name;
    private final MessageChannel channel;
    private final VirtioDevice device;
    private final DisplayChannelHandler displayHandler;
    private final Request request = new Request();
    private final GuestMemoryMap memory = new GuestMemoryMap();
    private final SplitQueue[] queues;
    private final EventFd[] kicks;
    private final EventFd[] errs;
    private final boolean[] enabled;
    private final EventFdInterrupt interrupt;
    private final ByteBuffer config = ByteBuffer.allocate(VIRTIO_CONFIG_MAX).order(ByteOrder.LITTLE_ENDIAN);

    private long ackedFeatures;
    private long ackedProtocolFeatures;
    private int status;
    private QueueWorker worker;
    private volatile BackendChannel backendChannel;
    private final long hostVisibleBytes;
    private final long maxPollNanos;
    private final long offeredProtocolFeatures;
    private volatile boolean broken;
    private volatile String state = "connected";

    /** Receives the display socket of GPU_SET_SOCKET (ownership passes to the handler). */
    interface DisplayChannelHandler {
        void displaySocket(String deviceName, int fd);

        void disconnected(String deviceName);
    }

    VhostUserConnection(String name, UnixSocket socket, VirtioDevice device, DisplayChannelHandler displayHandler) {
        this(name, socket, device, displayHandler, 0, 0);
    }

    /**
     * hostVisibleBytes > 0: the device gets shared memory region 1 of that size through SHMEM_MAP
     * (protocol feature SHMEM); maxPollNanos: the queue worker's busy-poll maximum (0: none).
     */
    VhostUserConnection(String name, UnixSocket socket, VirtioDevice device, DisplayChannelHandler displayHandler, long hostVisibleBytes,
            long maxPollNanos) {
        this.hostVisibleBytes = hostVisibleBytes;
        this.maxPollNanos = maxPollNanos;
        this.offeredProtocolFeatures = OFFERED_PROTOCOL_FEATURES | (hostVisibleBytes > 0 ? 1L << PF_SHMEM : 0);
        this.name = name;
        this.channel = new MessageChannel(socket);
        channel.beforeReply(this::frontEndNoLongerWaits);
        this.device = device;
        this.displayHandler = displayHandler;
        int n = device.queueCount();
        this.queues = new SplitQueue[n];
        for (int i = 0; i < n; i++) {
            // vhost-user cannot tell the front end a maximum: QEMU picks the ring size (1024 on
            // microvm), so any power of two the protocol allows is accepted.
            queues[i] = new SplitQueue(i, MAX_QUEUE_SIZE);
        }
        this.kicks = new EventFd[n];
        this.errs = new EventFd[n];
        this.enabled = new boolean[n];
        this.interrupt = new EventFdInterrupt(n, this::configChanged);
    }

    String state() {
        return state;
    }

    String name() {
        return name;
    }

    /** Serves requests until the front end disconnects or breaks the protocol; always cleans up. */
    void serve() {
        try {
            while (channel.read(request)) {
                // The front end may now be blocked until this request's reply: the back-end
                // channel must not wait for it meanwhile (QEMU serves both from one loop). The
                // flag drops just before the reply is sent (or after a request without one).
                BackendChannel backend = backendChannel;
                if (backend != null) {
                    backend.frontEndWaiting(true);
                }
                try {
                    handle();
                } finally {
                    closeUnclaimedFds();
                    if (backend != null) {
                        backend.frontEndWaiting(false);
                    }
                }
            }
            LOG.log(Level.INFO, name + ": front end disconnected");
        } catch (ProtocolViolation e) {
            LOG.log(Level.WARNING, name + ": protocol violation, closing connection: " + e.getMessage());
        } catch (NativeException e) {
            LOG.log(Level.INFO, name + ": connection lost: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, name + ": internal error, closing connection", e);
        } finally {
            close();
        }
    }

    private void handle() throws ProtocolViolation, NativeException {
        boolean ok = true;
        int req = request.request;
        switch (req) {
            case GET_FEATURES -> {
                request.expectSize(0);
                channel.sendU64(req, device.offeredFeatures() | F_PROTOCOL_FEATURES);
                return;
            }
            case SET_FEATURES -> {
                request.expectSize(8);
                // QEMU's virtio-pci adds transport bits of its own (e.g. 40, RING_RESET) that it
                // never asked us about: only what we offered counts.
                long features = request.u64(0) & (device.offeredFeatures() | F_PROTOCOL_FEATURES);
                ackedFeatures = features;
                device.ackFeatures(features & ~F_PROTOCOL_FEATURES);
                for (SplitQueue q : queues) {
                    q.setEventIdx((features & (1L << 29)) != 0);
                }
            }
            case GET_PROTOCOL_FEATURES -> {
                request.expectSize(0);
                channel.sendU64(req, offeredProtocolFeatures);
                return;
            }
            case SET_PROTOCOL_FEATURES -> {
                request.expectSize(8);
                ackedProtocolFeatures = request.u64(0) & offeredProtocolFeatures;
                BackendChannel backend = backendChannel;
                if (backend != null) {
                    backend.replyAck(replyAckNegotiated());
                }
            }
            case SET_OWNER -> request.expectSize(0);
            case RESET_OWNER, RESET_DEVICE -> {
                request.expectSize(0);
                resetDevice();
            }
            case GET_QUEUE_NUM -> {
                request.expectSize(0);
                channel.sendU64(req, queues.length);
                return;
            }
            case GET_MAX_MEM_SLOTS -> {
                request.expectSize(0);
                channel.sendU64(req, MAX_MEM_SLOTS);
                return;
            }
            case SET_MEM_TABLE -> setMemTable();
            case ADD_MEM_REG -> {
                request.expectSize(8 + MEMORY_REGION_SIZE);
                request.expectFds(1);
                addRegion(8, request.takeFd(0));
            }
            case REM_MEM_REG -> {
                request.expectSize(8 + MEMORY_REGION_SIZE);
                // The front end may attach an fd to REM_MEM_REG; it is not needed and gets closed.
                ok = memory.removeRegion(request.u64(8));
            }
            case SET_VRING_NUM -> {
                SplitQueue q = vringState();
                int num = request.u32(4);
                if (num <= 0 || Integer.bitCount(num) != 1 || num > q.maxSize()) {
                    throw new ProtocolViolation("SET_VRING_NUM " + num + " for queue " + q.index()
                            + ": not a power of two in 1.." + q.maxSize());
                }
                stopQueues();
                q.setSize(num);
            }
            case SET_VRING_BASE -> {
                SplitQueue q = vringState();
                int base = request.u32(4);
                if (base < 0 || base > 0xffff) {
                    throw new ProtocolViolation("SET_VRING_BASE " + base + " is not a 16-bit index");
                }
                stopQueues();
                q.setNextAvail(base);
            }
            case GET_VRING_BASE -> {
                SplitQueue q = vringState();
                stopQueues(); // the front end stops the ring: the device stops using it first
                closeFd(kicks, q.index());
                int base = q.nextAvail();
                ByteBuffer out = channel.replyPayload();
                out.putInt(q.index()).putInt(base);
                channel.sendReply(req);
                return;
            }
            case SET_VRING_ADDR -> setVringAddr();
            case SET_VRING_KICK -> {
                int index = vringFd();
                stopQueues();
                closeFd(kicks, index);
                kicks[index] = request.fdCount == 1 ? EventFd.adopt(request.takeFd(0)) : null;
                if (kicks[index] != null && (ackedFeatures & F_PROTOCOL_FEATURES) == 0) {
                    enabled[index] = true; // without protocol features a ring starts on its kick
                }
                maybeStart();
            }
            case SET_VRING_CALL -> {
                int index = vringFd();
                EventFd old = interrupt.callFd(index);
                interrupt.setCallFd(index, request.fdCount == 1 ? EventFd.adopt(request.takeFd(0)) : null);
                if (old != null) {
                    old.close();
                }
            }
            case SET_VRING_ERR -> {
                int index = vringFd();
                closeFd(errs, index);
                errs[index] = request.fdCount == 1 ? EventFd.adopt(request.takeFd(0)) : null;
            }
            case SET_VRING_ENABLE -> {
                SplitQueue q = vringState();
                int enable = request.u32(4);
                if (enable != 0 && enable != 1) {
                    throw new ProtocolViolation("SET_VRING_ENABLE with " + enable);
                }
                if (enable == 0) {
                    stopQueues();
                }
                enabled[q.index()] = enable == 1;
                maybeStart();
            }
            case SET_BACKEND_REQ_FD -> {
                request.expectSize(0);
                request.expectFds(1);
                if (backendChannel != null) {
                    backendChannel.close();
                }
                backendChannel = new BackendChannel(UnixSocket.adopt(request.takeFd(0)), replyAckNegotiated());
            }
            case GET_CONFIG -> {
                getConfig();
                return;
            }
            case GET_SHMEM_CONFIG -> {
                request.expectSize(0);
                if ((ackedProtocolFeatures & 1L << PF_SHMEM) == 0) {
                    throw new ProtocolViolation("GET_SHMEM_CONFIG without the SHMEM protocol feature");
                }
                ByteBuffer out = channel.replyPayload();
                int at = out.position();
                for (int i = 0; i < SHMEM_CONFIG_SIZE; i += 8) {
                    out.putLong(at + i, 0);
                }
                // Regions are indexed by shmid: 0 is unused, 1 is the GPU's HOST_VISIBLE.
                out.putInt(at, 2).putLong(at + 8 + 8, hostVisibleBytes);
                out.position(at + SHMEM_CONFIG_SIZE);
                channel.sendReply(GET_SHMEM_CONFIG);
                return;
            }
            case SET_CONFIG -> ok = setConfig();
            case GPU_SET_SOCKET -> {
                request.expectSize(0);
                request.expectFds(1);
                if (device.deviceId() != 16) {
                    throw new ProtocolViolation("GPU_SET_SOCKET for a device that is not a GPU");
                }
                displayHandler.displaySocket(device.name(), request.takeFd(0));
            }
            case SET_STATUS -> {
                request.expectSize(8);
                long value = request.u64(0);
                if (value < 0 || value > 0xff) {
                    throw new ProtocolViolation("SET_STATUS 0x" + Long.toHexString(value));
                }
                status = (int) value;
                if (status == 0) {
                    resetDevice();
                }
            }
            case GET_STATUS -> {
                request.expectSize(0);
                channel.sendU64(req, status);
                return;
            }
            case SET_LOG_BASE, SET_LOG_FD ->
                throw new ProtocolViolation(requestName(req) + " without LOG_SHMFD (never offered)");
            default -> throw new ProtocolViolation("unknown request " + req);
        }
        if (request.needsReply() && (ackedProtocolFeatures & (1L << PF_REPLY_ACK)) != 0) {
            channel.sendU64(req, ok ? 0 : 1);
        }
    }

    /** SET_MEM_TABLE: u32 nregions, u32 padding, regions[8]; one fd per region. Replaces every region. */
    private void setMemTable() throws ProtocolViolation {
        request.expectSizeAtLeast(8);
        int count = request.u32(0);
        if (count < 0 || count > 8 || request.size != 8 + 8 * MEMORY_REGION_SIZE && request.size != 8 + count * MEMORY_REGION_SIZE) {
            throw new ProtocolViolation("SET_MEM_TABLE with " + count + " regions in " + request.size + " bytes");
        }
        request.expectFds(count);
        // No need to stop the rings: region removal waits for the worker's memory lease.
        for (MemoryRegion r : memory.regions()) {
            memory.removeRegion(r.guestBase());
        }
        for (int i = 0; i < count; i++) {
            addRegion(8 + i * MEMORY_REGION_SIZE, request.takeFd(i));
        }
    }

    private void addRegion(int offset, int fd) throws ProtocolViolation {
        long gpa = request.u64(offset);
        long size = request.u64(offset + 8);
        long userAddr = request.u64(offset + 16);
        long mmapOffset = request.u64(offset + 24);
        if (size <= 0 || gpa + size < gpa || mmapOffset < 0 || memory.regions().size() >= MAX_MEM_SLOTS) {
            LinuxNative.closeQuietly(fd);
            throw new ProtocolViolation("bad memory region gpa=0x" + Long.toHexString(gpa) + " size=0x"
                    + Long.toHexString(size) + " offset=0x" + Long.toHexString(mmapOffset));
        }
        MemoryRegion region;
        try {
            region = MemoryRegion.map(fd, mmapOffset, gpa, size, userAddr);
        } catch (NativeException e) {
            LinuxNative.closeQuietly(fd);
            throw new ProtocolViolation("cannot map memory region: " + e.getMessage());
        }
        try {
            memory.addRegion(region);
        } catch (IllegalArgumentException e) {
            region.close();
            throw new ProtocolViolation(e.getMessage());
        }
    }

    /** SET_VRING_ADDR: u32 index, u32 flags, u64 desc, used, avail, log (VMM user addresses). */
    private void setVringAddr() throws ProtocolViolation {
        request.expectSize(40);
        SplitQueue q = queue(request.u32(0));
        int size = q.size();
        long desc, used, avail;
        try {
            desc = memory.userToGuest(request.u64(8), (long) RING_DESC_SIZE * size);
            used = memory.userToGuest(request.u64(16), 6L + 8L * size);
            avail = memory.userToGuest(request.u64(24), 6L + 2L * size);
        } catch (GuestMemoryException e) {
            throw new ProtocolViolation("SET_VRING_ADDR for queue " + q.index() + " outside guest memory: " + e.getMessage());
        }
        stopQueues();
        q.setAddresses(desc, avail, used);
    }

    private SplitQueue vringState() throws ProtocolViolation {
        request.expectSize(8);
        return queue(request.u32(0));
    }

    private SplitQueue queue(int index) throws ProtocolViolation {
        if (index < 0 || index >= queues.length) {
            throw new ProtocolViolation(requestName(request.request) + " for queue " + index + " of " + queues.length);
        }
        return queues[index];
    }

    /** SET_VRING_KICK/CALL/ERR: u64 with the index in bits 0-7 and bit 8 = no fd. */
    private int vringFd() throws ProtocolViolation {
        request.expectSize(8);
        long value = request.u64(0);
        int index = (int) (value & VRING_INDEX_MASK);
        if ((value & ~(VRING_INDEX_MASK | VRING_NOFD_MASK)) != 0) {
            throw new ProtocolViolation(requestName(request.request) + " with reserved bits 0x" + Long.toHexString(value));
        }
        queue(index);
        request.expectFds((value & VRING_NOFD_MASK) != 0 ? 0 : 1);
        return index;
    }

    /** GET_CONFIG: u32 offset, u32 size, u32 flags, u8 payload[size]; answered with the same struct. */
    private void getConfig() throws ProtocolViolation, NativeException {
        request.expectSizeAtLeast(12);
        int offset = request.u32(0);
        int size = request.u32(4);
        if (offset < 0 || size < 0 || size > VIRTIO_CONFIG_MAX || request.size != 12 + size) {
            throw new ProtocolViolation("GET_CONFIG offset " + offset + " size " + size + " in " + request.size + " bytes");
        }
        config.clear().limit(size);
        device.readConfig(offset, config);
        ByteBuffer out = channel.replyPayload();
        out.putInt(offset).putInt(size).putInt(request.u32(8));
        config.flip();
        out.put(config);
        channel.sendReply(GET_CONFIG);
    }

    private boolean setConfig() throws ProtocolViolation {
        request.expectSizeAtLeast(12);
        int offset = request.u32(0);
        int size = request.u32(4);
        if (offset < 0 || size < 0 || size > VIRTIO_CONFIG_MAX || request.size != 12 + size) {
            throw new ProtocolViolation("SET_CONFIG offset " + offset + " size " + size + " in " + request.size + " bytes");
        }
        ByteBuffer src = request.payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        src.position(12).limit(12 + size);
        device.writeConfig(offset, src);
        return true;
    }

    /** Starts the device once every vring has a size, addresses, a kick fd and is enabled. */
    private void maybeStart() {
        if (worker != null || broken) {
            return;
        }
        for (int i = 0; i < queues.length; i++) {
            if (kicks[i] == null || !enabled[i] || queues[i].descTable() == 0 && queues[i].usedRing() == 0) {
                return;
            }
        }
        for (SplitQueue q : queues) {
            q.setReady(true);
        }
        DeviceActivation activation = new BasicActivation(memory, queues, interrupt, this::needsReset, name, sharedMemory());
        try {
            device.activate(activation);
            worker = new QueueWorker(device, activation, kicks, maxPollNanos);
            worker.start();
            state = "active";
            LOG.log(Level.INFO, name + ": device " + device.name() + " started");
        } catch (NativeException | RuntimeException e) {
            LOG.log(Level.ERROR, name + ": cannot start device " + device.name(), e);
            device.reset();
            worker = null;
        }
    }

    /** The device stops using the rings (before they change or are handed back). Its state is kept. */
    private void stopQueues() {
        if (worker == null) {
            return;
        }
        worker.stop();
        worker = null;
        device.reset(); // VirtioDevice is activated only from a reset state
        for (SplitQueue q : queues) {
            q.setReady(false);
        }
        state = "stopped";
    }

    private void resetDevice() {
        stopQueues();
        for (SplitQueue q : queues) {
            q.reset();
        }
        device.reset();
        broken = false;
        status = 0;
    }

    /** Region 1 when the front end can map back-end memory (SHMEM with BACKEND_REQ and BACKEND_SEND_FD), else none. */
    private List<SharedMemoryWindow> sharedMemory() {
        long needed = 1L << PF_SHMEM | 1L << PF_BACKEND_REQ | 1L << PF_BACKEND_SEND_FD;
        BackendChannel backend = backendChannel;
        if (hostVisibleBytes <= 0 || backend == null || (ackedProtocolFeatures & needed) != needed) {
            return List.of();
        }
        return List.of(new ShmemWindow(1, hostVisibleBytes, backend));
    }

    /** A reply is on its way: the front end is free to serve back-end requests again. */
    private void frontEndNoLongerWaits() {
        BackendChannel backend = backendChannel;
        if (backend != null) {
            backend.frontEndWaiting(false);
        }
    }

    private boolean replyAckNegotiated() {
        return (ackedProtocolFeatures & 1L << PF_REPLY_ACK) != 0;
    }

    /** The device found a ring corrupt: signal the front end on the error eventfd and stop serving. */
    private void needsReset(String reason) {
        LOG.log(Level.WARNING, name + ": device needs reset: " + reason);
        broken = true;
        state = "needs reset: " + reason;
        for (EventFd err : errs) {
            if (err != null) {
                try {
                    err.signal();
                } catch (NativeException e) {
                    // the front end went away; the read loop notices
                }
            }
        }
    }

    /** Device config changed on its own (e.g. display hot-plug): tell the front end if it listens. */
    private void configChanged() {
        BackendChannel backend = backendChannel;
        if (backend == null || (ackedProtocolFeatures & (1L << PF_BACKEND_REQ)) == 0) {
            return;
        }
        ByteBuffer msg = ByteBuffer.allocateDirect(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        msg.putInt(BACKEND_CONFIG_CHANGE_MSG).putInt(0).putInt(0).flip();
        try {
            backend.request(msg); // one sender at a time with the SHMEM requests
        } catch (java.io.IOException e) {
            LOG.log(Level.INFO, name + ": config change not delivered: " + e.getMessage());
        }
    }

    private void closeUnclaimedFds() {
        for (int i = 0; i < request.fdCount; i++) {
            if (request.fds[i] >= 0) {
                LinuxNative.closeQuietly(request.fds[i]);
                request.fds[i] = -1;
            }
        }
        request.fdCount = 0;
    }

    private static void closeFd(EventFd[] fds, int index) {
        if (fds[index] != null) {
            fds[index].close();
            fds[index] = null;
        }
    }

    /** Ends the connection from another thread: the serving thread wakes up and cleans up. */
    void shutdown() {
        channel.shutdown();
    }

    /** Frees everything this front end made us hold: worker, device state, maps, fds. */
    @Override
    public synchronized void close() {
        stopQueues();
        device.reset();
        displayHandler.disconnected(device.name());
        for (int i = 0; i < queues.length; i++) {
            closeFd(kicks, i);
            closeFd(errs, i);
            EventFd call = interrupt.callFd(i);
            interrupt.setCallFd(i, null);
            if (call != null) {
                call.close();
            }
        }
        if (backendChannel != null) {
            backendChannel.close();
            backendChannel = null;
        }
        memory.close();
        channel.close();
        state = "closed";
    }

}
