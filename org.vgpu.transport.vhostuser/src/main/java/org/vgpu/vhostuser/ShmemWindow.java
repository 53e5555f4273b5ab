package org.vgpu.vhostuser;

import static org.vgpu.vhostuser.VhostUserProtocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.runtime.WindowMaps;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * A device's shared memory region over vhost-user (protocol feature SHMEM, QEMU 11.1): maps become
 * SHMEM_MAP / SHMEM_UNMAP back-end requests with the fd attached, and the front end maps the fd
 * into the region it reserved for GET_SHMEM_CONFIG. Checks alignment, bounds and overlaps itself
 * (the front end must not be trusted to), and waits for the front end's REPLY_ACK when negotiated,
 * at most {@link #REPLY_TIMEOUT_MS}, so an unresponsive front end cannot hang the device.
 */
final class ShmemWindow implements SharedMemoryWindow {
    static final long PAGE = 4096;
    static final int REPLY_TIMEOUT_MS = 2000;
    private static final byte[] PADDING = new byte[7]; // after the u8 shmid

    private final int id;
    private final long size;
    private final UnixSocket backend;
    private final boolean replyAck;
    private final WindowMaps maps;
    private final ByteBuffer message = ByteBuffer.allocateDirect(HEADER_SIZE + SHMEM_MSG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(HEADER_SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
    private final int[] noFds = new int[UnixSocket.MAX_FDS];

    ShmemWindow(int id, long size, UnixSocket backend, boolean replyAck) {
        this.id = id;
        this.size = size;
        this.backend = backend;
        this.replyAck = replyAck;
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
        message.putInt(request).putInt(FLAG_VERSION_1 | (replyAck ? FLAG_NEED_REPLY : 0)).putInt(SHMEM_MSG_SIZE);
        message.put((byte) id).put(PADDING).putLong(fdOffset).putLong(shmOffset).putLong(length).putLong(flags);
        message.flip();
        try {
            backend.send(message, fds);
            while (message.hasRemaining()) {
                backend.send(message);
            }
            if (replyAck) {
                awaitAck(request);
            }
        } catch (NativeException e) {
            throw new MappingException(name(request) + ": " + e.getMessage());
        }
    }

    /** REPLY_ACK: a u64 that is 0 on success. */
    private void awaitAck(int request) throws NativeException, MappingException {
        reply.clear();
        long deadline = System.nanoTime() + REPLY_TIMEOUT_MS * 1_000_000L;
        while (reply.hasRemaining()) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || !backend.awaitReadable((int) left) || backend.recv(reply, noFds) == 0) {
                throw new MappingException(name(request) + ": no reply from the front end within " + REPLY_TIMEOUT_MS + " ms");
            }
            for (int fd : noFds) {
                org.vgpu.virtio.sys.LinuxNative.closeQuietly(fd); // replies carry none
            }
        }
        if (reply.getInt(0) != request || (reply.getInt(4) & FLAG_REPLY) == 0 || reply.getInt(8) != 8) {
            throw new MappingException(name(request) + ": malformed reply");
        }
        if (reply.getLong(HEADER_SIZE) != 0) {
            throw new MappingException(name(request) + ": the front end refused (" + reply.getLong(HEADER_SIZE) + ")");
        }
    }
}
