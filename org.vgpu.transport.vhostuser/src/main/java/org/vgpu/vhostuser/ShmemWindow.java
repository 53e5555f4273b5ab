package org.vgpu.vhostuser;

import static org.vgpu.vhostuser.VhostUserProtocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.runtime.WindowMaps;

/**
 * A device's shared memory region over vhost-user (protocol feature SHMEM, QEMU 11.1): maps become
 * SHMEM_MAP / SHMEM_UNMAP back-end requests with the fd attached, and the front end maps the fd
 * into the region it reserved for GET_SHMEM_CONFIG. Checks alignment, bounds and overlaps itself
 * (the front end must not be trusted to). The {@link BackendChannel} waits for the front end's
 * REPLY_ACK when it can answer (bounded), and never while the front end waits on vgpu.
 */
final class ShmemWindow implements SharedMemoryWindow {
    static final long PAGE = 4096;
    static final int REPLY_TIMEOUT_MS = BackendChannel.REPLY_TIMEOUT_MS;
    private static final byte[] PADDING = new byte[7]; // after the u8 shmid

    private final int id;
    private final long size;
    private final BackendChannel backend;
    private final WindowMaps maps;
    private final ByteBuffer message = ByteBuffer.allocateDirect(HEADER_SIZE + SHMEM_MSG_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    ShmemWindow(int id, long size, BackendChannel backend) {
        this.id = id;
        this.size = size;
        this.backend = backend;
        this.maps = new WindowMaps(size, PAGE);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public synchronized void map(long offset, int fd, long fdOffset, long length, boolean writable) throws MappingException {
        maps.checkMap(offset, fdOffset, length);
        send(BACKEND_SHMEM_MAP, fdOffset, offset, length, writable ? SHMEM_MAP_FLAG_RW : 0, fd);
        maps.added(offset, length);
    }

    @Override
    public synchronized void unmap(long offset, long length) throws MappingException {
        maps.checkUnmap(offset, length);
        maps.removed(offset); // forgotten even if the front end fails to answer: it may have unmapped
        send(BACKEND_SHMEM_UNMAP, 0, offset, length, 0);
    }

    private static String name(int request) {
        return request == BACKEND_SHMEM_MAP ? "SHMEM_MAP" : "SHMEM_UNMAP";
    }

    synchronized int mapCount() {
        return maps.count();
    }

    private void send(int request, long fdOffset, long shmOffset, long length, long flags, int... fds) throws MappingException {
        message.clear();
        message.putInt(request).putInt(0).putInt(SHMEM_MSG_SIZE); // flags: set by the channel
        message.put((byte) id).put(PADDING).putLong(fdOffset).putLong(shmOffset).putLong(length).putLong(flags);
        message.flip();
        try {
            if (backend.request(message, fds) == BackendChannel.Outcome.REFUSED) {
                throw new MappingException(name(request) + ": the front end refused (" + backend.lastRefusal() + ")");
            }
        } catch (IOException e) {
            throw new MappingException(name(request) + ": " + e.getMessage());
        }
    }
}
