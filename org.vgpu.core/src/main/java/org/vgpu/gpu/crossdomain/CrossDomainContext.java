package org.vgpu.gpu.crossdomain;

import static org.vgpu.gpu.crossdomain.CrossDomainWire.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.HostBlob;
import org.vgpu.gpu.context.RenderingContext;
import org.vgpu.gpu.spi.PixelFormat;
import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

/**
 * One cross-domain context: INIT names the query ring (a GUEST blob attached to the context), and
 * GET_IMAGE_REQUIREMENTS answers stride/offset/size and a blob_id into that ring, which a later
 * RESOURCE_CREATE_BLOB(HOST3D) in the same context redeems. An INIT with the Wayland channel type
 * also names the channel ring and connects a {@link WaylandChannel} to the device's compositor
 * socket: SEND passes bytes and the host fds of identifiers the context owns, WRITE feeds pipes,
 * and fences on the channel ring complete when a RECEIVE or READ is in it. Every number comes
 * from the guest and is checked here; a command that fails changes nothing and passes no fd.
 */
final class CrossDomainContext implements RenderingContext {
    private static final System.Logger LOG = System.getLogger(CrossDomainContext.class.getName());
    /** Image requirements a context may hold before creating their blobs: bounds host memory per guest. */
    static final int MAX_PENDING_IMAGES = 256;
    static final int MAX_IMAGE_SIDE = 16384;

    private final ContextHost host;
    private final String debugName;
    private final Map<Long, HostBlob> images = new HashMap<>();
    private final Identifiers identifiers = new Identifiers();
    private final ByteBuffer answer = ByteBuffer.allocate(CROSS_DOMAIN_IMAGE_REQUIREMENTS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    /** Zeros the size of a channel ring: INIT writes them to check the guest's ring holds a message. */
    private static final ByteBuffer EMPTY_RING = ByteBuffer.allocate(RING_SIZE);
    private final int[] sendFds = new int[MAX_IDENTIFIERS];
    private int queryRing;
    private int channelRing;
    private WaylandChannel channel;

    CrossDomainContext(ContextHost host, String debugName) {
        this.host = host;
        this.debugName = debugName;
    }

    /** The cross-domain commands in the buffer, run in order; the first error ends it. */
    @Override
    public int submit(int ringIdx, ByteBuffer commands) {
        int size = commands.limit();
        int at = 0;
        while (at < size) {
            if (size - at < CROSS_DOMAIN_HDR_SIZE) {
                return ERR_INVALID_PARAMETER;
            }
            int cmd = commands.get(at) & 0xff;
            int cmdSize = commands.getShort(at + 2) & 0xffff;
            if (cmdSize < CROSS_DOMAIN_HDR_SIZE || cmdSize > size - at) {
                return ERR_INVALID_PARAMETER; // a zero size would loop forever; a large one reads past the buffer
            }
            int result = switch (cmd) {
                case CROSS_DOMAIN_CMD_INIT -> cmdSize < CROSS_DOMAIN_INIT_SIZE ? ERR_INVALID_PARAMETER
                        : init(commands.getInt(at + INIT_QUERY_RING), commands.getInt(at + INIT_CHANNEL_RING),
                                commands.getInt(at + INIT_CHANNEL_TYPE));
                case CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS -> cmdSize < CROSS_DOMAIN_GET_IMAGE_REQUIREMENTS_SIZE ? ERR_INVALID_PARAMETER
                        : imageRequirements(commands.getInt(at + 8) & 0xffff_ffffL, commands.getInt(at + 12) & 0xffff_ffffL,
                                commands.getInt(at + 16));
                case CMD_POLL -> channel == null ? ERR_INVALID_PARAMETER : OK; // the poll is its fence on the channel ring
                case CMD_SEND -> send(commands, at, cmdSize);
                case CMD_WRITE -> write(commands, at, cmdSize);
                default -> ERR_INVALID_PARAMETER; // RECEIVE and READ go to the guest only; later commands are not offered (version 1)
            };
            if (result != OK) {
                return result;
            }
            at += cmdSize;
        }
        return OK;
    }

    private int init(int queryRingId, int channelRingId, int channelType) {
        if (!host.attached(queryRingId)) {
            return ERR_INVALID_RESOURCE_ID; // the ring must be the context's own resource
        }
        if (channelType == CHANNEL_TYPE_NONE) {
            queryRing = queryRingId;
            return OK;
        }
        if (channelType != CHANNEL_TYPE_WAYLAND || channel != null) {
            return ERR_INVALID_PARAMETER; // one channel per context, and only the Wayland one is offered
        }
        if (channelRingId == queryRingId || !host.attached(channelRingId)) {
            return ERR_INVALID_RESOURCE_ID;
        }
        if (!host.writeGuest(channelRingId, 0, EMPTY_RING, RING_SIZE)) {
            return ERR_INVALID_PARAMETER; // not a GUEST blob, or smaller than a message
        }
        Path socket = CompositorSocket.resolve(host.setting(CompositorSocket.SETTING));
        if (socket == null) {
            return ERR_INVALID_PARAMETER;
        }
        String name = host.deviceName() + " ctx " + Integer.toUnsignedString(host.contextId());
        try {
            channel = WaylandChannel.connect(socket, identifiers, new WaylandChannel.Ring() {
                @Override
                public boolean write(ByteBuffer message, int length) {
                    return host.writeGuest(channelRingId, 0, message, length);
                }

                @Override
                public void signal(long fenceId) {
                    host.signalFence(CHANNEL_RING, fenceId);
                }
            }, name);
        } catch (NativeException | IllegalArgumentException e) {
            LOG.log(Level.INFO, "{0}: cannot connect to the compositor at {1}: {2}", name, socket, e.getMessage());
            return ERR_UNSPEC;
        }
        queryRing = queryRingId;
        channelRing = channelRingId;
        return OK;
    }

    /**
     * SEND: the opaque bytes and, per identifier, a host fd the context may pass: a resource it
     * owns (VIRTGPU_BLOB), a new pipe whose read end comes back as READs (READ_PIPE), an eventfd
     * it received (EVENT). Any bad identifier fails the whole command and passes nothing.
     */
    private int send(ByteBuffer commands, int at, int cmdSize) {
        if (channel == null) {
            return ERR_INVALID_PARAMETER;
        }
        if (cmdSize < SEND_RECEIVE_SIZE) {
            return ERR_INVALID_PARAMETER;
        }
        long count = commands.getInt(at + SR_NUM_IDENTIFIERS) & 0xffff_ffffL;
        long dataSize = commands.getInt(at + SR_DATA_SIZE) & 0xffff_ffffL;
        if (count > MAX_IDENTIFIERS || dataSize > cmdSize - SEND_RECEIVE_SIZE || dataSize == 0 && count > 0) {
            return ERR_INVALID_PARAMETER;
        }
        int fds = 0;
        int readPipe = -1;
        int readPipeId = 0;
        int result = OK;
        for (int i = 0; i < count && result == OK; i++) {
            int id = commands.getInt(at + SR_IDENTIFIERS + 4 * i);
            int type = commands.getInt(at + SR_TYPES + 4 * i);
            int fd = -1;
            switch (type) {
                case ID_TYPE_VIRTGPU_BLOB -> {
                    fd = host.attached(id) ? host.resourceFd(id) : -1;
                    result = host.attached(id) ? (fd < 0 ? ERR_INVALID_PARAMETER : OK) : ERR_INVALID_RESOURCE_ID;
                }
                case ID_TYPE_READ_PIPE -> {
                    if (readPipe >= 0 || id != identifiers.nextReadPipe() || !channel.canAddReadPipe()) {
                        result = ERR_INVALID_PARAMETER; // one per SEND (as rutabaga), and the guest's guess of its id must hold
                    } else {
                        int[] pipe = new int[2];
                        if (LinuxNative.pipe2(pipe, LinuxNative.O_CLOEXEC) < 0) {
                            result = ERR_OUT_OF_MEMORY;
                        } else {
                            readPipe = pipe[0];
                            readPipeId = id;
                            fd = pipe[1];
                        }
                    }
                }
                case ID_TYPE_EVENT -> {
                    Identifiers.Held h = identifiers.get(id);
                    fd = h != null && h.type() == ID_TYPE_EVENT ? LinuxNative.fcntl(h.fd(), LinuxNative.F_DUPFD_CLOEXEC, 0) : -1;
                    result = fd < 0 ? ERR_INVALID_PARAMETER : OK;
                }
                default -> result = ERR_INVALID_PARAMETER; // SYNC, WRITE_PIPE, unknown: nothing to pass
            }
            if (fd >= 0) {
                sendFds[fds++] = fd;
            }
        }
        if (result != OK) {
            for (int i = 0; i < fds; i++) {
                LinuxNative.closeQuietly(sendFds[i]);
            }
            LinuxNative.closeQuietly(readPipe);
            return result;
        }
        ByteBuffer data = ByteBuffer.allocate((int) dataSize);
        data.put(0, commands, at + SEND_RECEIVE_SIZE, (int) dataSize);
        if (!channel.send(data, java.util.Arrays.copyOf(sendFds, fds))) {
            LinuxNative.closeQuietly(readPipe);
            return ERR_OUT_OF_MEMORY; // the compositor does not keep up (or is gone): this SEND is dropped
        }
        if (readPipe >= 0) {
            channel.addReadPipe(identifiers.takeReadPipe(), readPipe);
        }
        return OK;
    }

    /** WRITE: bytes into a write pipe (or 8 bytes into an eventfd) the compositor passed; hang_up closes it. */
    private int write(ByteBuffer commands, int at, int cmdSize) {
        if (channel == null || cmdSize < READ_WRITE_SIZE) {
            return ERR_INVALID_PARAMETER;
        }
        int id = commands.getInt(at + RW_IDENTIFIER);
        boolean hangUp = commands.getInt(at + RW_HANG_UP) != 0;
        long dataSize = commands.getInt(at + RW_DATA_SIZE) & 0xffff_ffffL;
        Identifiers.Held h = identifiers.get(id);
        if (dataSize > cmdSize - READ_WRITE_SIZE || h == null || h.type() != ID_TYPE_WRITE_PIPE && h.type() != ID_TYPE_EVENT
                || h.type() == ID_TYPE_EVENT && dataSize != 8) {
            return ERR_INVALID_PARAMETER;
        }
        if (dataSize > 0) {
            int fd = LinuxNative.fcntl(h.fd(), LinuxNative.F_DUPFD_CLOEXEC, 0); // the writer's own: a hang-up may close the held one first
            if (fd < 0) {
                return ERR_OUT_OF_MEMORY;
            }
            ByteBuffer data = ByteBuffer.allocate((int) dataSize);
            data.put(0, commands, at + READ_WRITE_SIZE, (int) dataSize);
            if (!channel.write(fd, data)) {
                return ERR_OUT_OF_MEMORY;
            }
        }
        if (hangUp) {
            identifiers.remove(id);
        }
        return OK;
    }

    /** Channel-ring fences complete when the channel has written a message into the ring; others at once. */
    @Override
    public boolean fence(int ringIdx, long fenceId) {
        return ringIdx != CHANNEL_RING || channel == null || channel.fence(fenceId);
    }

    private int imageRequirements(long width, long height, int drmFormat) {
        if (queryRing == 0) {
            return ERR_INVALID_PARAMETER; // no INIT yet
        }
        PixelFormat format = PixelFormat.ofDrmFourcc(drmFormat);
        if (format == null || width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
            return ERR_INVALID_PARAMETER;
        }
        if (images.size() >= MAX_PENDING_IMAGES) {
            return ERR_OUT_OF_MEMORY;
        }
        long stride = width * BYTES_PER_PIXEL; // linear, unpadded: the backends' row layout
        long size = blobAligned(stride * height);
        long blobId = identifiers.next() & 0xffffffffL;
        for (int i = 0; i < CROSS_DOMAIN_IMAGE_REQUIREMENTS_SIZE; i += 8) {
            answer.putLong(i, 0);
        }
        answer.putInt(0, (int) stride);     // strides[0]; planes 1..3 unused
        answer.putInt(16, 0);               // offsets[0]
        answer.putLong(32, 0);              // modifier: DRM_FORMAT_MOD_LINEAR
        answer.putLong(40, size);
        answer.putInt(48, (int) blobId);
        answer.putInt(52, MAP_CACHE_CACHED);
        answer.putInt(56, -1);              // memory_idx: no Vulkan memory type
        answer.putInt(60, -1);              // physical_device_idx
        if (!host.writeGuest(queryRing, 0, answer, CROSS_DOMAIN_IMAGE_REQUIREMENTS_SIZE)) {
            return ERR_INVALID_PARAMETER;
        }
        images.put(blobId & 0xffffffffL, new HostBlob(format.code(), (int) width, (int) height, size));
        return OK;
    }

    /**
     * RESOURCE_CREATE_BLOB(HOST3D) redeems a blob_id of this context once: image requirements it
     * answered, or memory the compositor passed (the keymap: blob_id = its RECEIVE identifier).
     */
    @Override
    public HostBlob hostBlob(long blobId) {
        HostBlob image = images.get(blobId);
        if (image != null || blobId <= 0 || blobId > Integer.MAX_VALUE) {
            return image;
        }
        Identifiers.Held held = identifiers.get((int) blobId);
        return held != null && held.type() == ID_TYPE_VIRTGPU_BLOB ? HostBlob.ofMemory(held.fd(), held.size()) : null;
    }

    @Override
    public void hostBlobCreated(long blobId, int resourceId) {
        if (images.remove(blobId) == null && blobId > 0 && blobId <= Integer.MAX_VALUE) {
            identifiers.remove((int) blobId); // the device holds its own duplicate now
        }
    }

    @Override
    public void detach(int resourceId) {
        if (queryRing == resourceId) {
            queryRing = 0;
        }
        // a detached channel ring: the device refuses the channel's writes to it (the guest reads nothing more)
    }

    @Override
    public String describe() {
        String rings = "query ring " + (queryRing == 0 ? "-" : Integer.toUnsignedString(queryRing)) + ", " + images.size() + " pending images";
        return channel == null ? rings
                : rings + ", channel ring " + Integer.toUnsignedString(channelRing) + ", " + channel.describe() + ", "
                        + identifiers.size() + " host fds held";
    }

    @Override
    public void destroy() {
        images.clear();
        queryRing = 0;
        if (channel != null) {
            channel.close();
        }
        identifiers.close();
    }
}
