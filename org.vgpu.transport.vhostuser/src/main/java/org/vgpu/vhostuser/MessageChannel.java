package org.vgpu.vhostuser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * Framing of vhost-user messages on a stream socket: reads one header + payload (+ fds) into a
 * reused {@link Request}, sends replies. Anything malformed is a {@link ProtocolViolation}.
 */
final class MessageChannel implements AutoCloseable {
    private final UnixSocket socket;
    private final ByteBuffer header = ByteBuffer.allocateDirect(VhostUserProtocol.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(VhostUserProtocol.HEADER_SIZE + VhostUserProtocol.MAX_PAYLOAD)
            .order(ByteOrder.LITTLE_ENDIAN);
    private final int[] fdScratch = new int[UnixSocket.MAX_FDS];

    MessageChannel(UnixSocket socket) {
        this.socket = socket;
    }

    int fd() {
        return socket.fd();
    }

    /** Reads the next message; false on a clean end of stream before a header. */
    boolean read(Request into) throws ProtocolViolation, NativeException {
        into.fdCount = 0;
        header.clear();
        boolean first = true;
        while (header.hasRemaining()) {
            int n = socket.recv(header, fdScratch);
            collectFds(into, first);
            first = false;
            if (n == 0) {
                if (header.position() == 0) {
                    return false;
                }
                throw new ProtocolViolation("connection closed inside a message header");
            }
        }
        into.request = header.getInt(0);
        into.flags = header.getInt(4);
        into.size = header.getInt(8);
        if ((into.flags & VhostUserProtocol.FLAG_VERSION_MASK) != VhostUserProtocol.FLAG_VERSION_1) {
            throw new ProtocolViolation("bad protocol version in flags 0x" + Integer.toHexString(into.flags));
        }
        if (into.size < 0 || into.size > VhostUserProtocol.MAX_PAYLOAD) {
            throw new ProtocolViolation(VhostUserProtocol.requestName(into.request) + ": payload size " + into.size);
        }
        ByteBuffer payload = into.payload;
        payload.clear().limit(into.size);
        while (payload.hasRemaining()) {
            int n = socket.recv(payload, fdScratch);
            collectFds(into, false);
            if (n == 0) {
                throw new ProtocolViolation(VhostUserProtocol.requestName(into.request) + ": truncated payload ("
                        + payload.position() + " of " + into.size + " bytes)");
            }
        }
        return true;
    }

    /** fds may only travel with the first bytes of a message; any others are closed and refused. */
    private void collectFds(Request into, boolean allowed) throws ProtocolViolation {
        int count = UnixSocket.countFds(fdScratch);
        if (count == 0) {
            return;
        }
        if (!allowed || into.fdCount + count > into.fds.length) {
            for (int i = 0; i < count; i++) {
                LinuxNative.closeQuietly(fdScratch[i]);
            }
            throw new ProtocolViolation("file descriptors in the middle of a message");
        }
        System.arraycopy(fdScratch, 0, into.fds, into.fdCount, count);
        into.fdCount += count;
    }

    /** The reply buffer positioned at the payload: fill it, then {@link #sendReply}. */
    ByteBuffer replyPayload() {
        reply.clear().position(VhostUserProtocol.HEADER_SIZE);
        return reply;
    }

    /** Runs just before a reply goes out: from then on the front end no longer waits on this request. */
    void beforeReply(Runnable hook) {
        beforeReply = hook;
    }

    private Runnable beforeReply = () -> { };

    void sendReply(int request) throws NativeException {
        beforeReply.run();
        int size = reply.position() - VhostUserProtocol.HEADER_SIZE;
        reply.putInt(0, request);
        reply.putInt(4, VhostUserProtocol.FLAG_VERSION_1 | VhostUserProtocol.FLAG_REPLY);
        reply.putInt(8, size);
        reply.flip();
        while (reply.hasRemaining()) {
            socket.send(reply);
        }
    }

    void sendU64(int request, long value) throws NativeException {
        replyPayload().putLong(value);
        sendReply(request);
    }

    /** Unblocks a read in progress on another thread. */
    void shutdown() {
        socket.shutdown();
    }

    @Override
    public void close() {
        socket.close();
    }
}
