package org.vgpu.vhostuser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/** A minimal vhost-user front end for protocol tests: sends any message, hostile ones included. */
final class TestFrontEnd implements AutoCloseable {
    final UnixSocket socket;
    private final int[] fds = new int[UnixSocket.MAX_FDS];

    TestFrontEnd(Path path) throws NativeException {
        this.socket = UnixSocket.connect(path);
    }

    static ByteBuffer payload(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Sends header (version 1 + extraFlags) + payload (position..limit) with fds. */
    void send(int request, int extraFlags, ByteBuffer body, int... passFds) throws NativeException {
        int size = body == null ? 0 : body.remaining();
        sendRaw(request, VhostUserProtocol.FLAG_VERSION_1 | extraFlags, size, body, passFds);
    }

    void sendRaw(int request, int flags, int declaredSize, ByteBuffer body, int... passFds) throws NativeException {
        int size = body == null ? 0 : body.remaining();
        ByteBuffer msg = payload(VhostUserProtocol.HEADER_SIZE + size);
        msg.putInt(request).putInt(flags).putInt(declaredSize);
        if (body != null) {
            msg.put(body.duplicate());
        }
        msg.flip();
        socket.send(msg, passFds);
        while (msg.hasRemaining()) {
            socket.send(msg);
        }
    }

    void sendU64(int request, int extraFlags, long value, int... passFds) throws NativeException {
        ByteBuffer b = payload(8);
        b.putLong(value).flip();
        send(request, extraFlags, b, passFds);
    }

    void sendState(int request, int extraFlags, int index, int num) throws NativeException {
        ByteBuffer b = payload(8);
        b.putInt(index).putInt(num).flip();
        send(request, extraFlags, b);
    }

    /** Reads one reply; returns its payload (position 0) or null at end of stream. */
    ByteBuffer reply(int expectedRequest) throws NativeException {
        ByteBuffer header = payload(VhostUserProtocol.HEADER_SIZE);
        if (!readFully(header)) {
            return null;
        }
        int request = header.getInt(0);
        int flags = header.getInt(4);
        int size = header.getInt(8);
        if (request != expectedRequest || (flags & VhostUserProtocol.FLAG_REPLY) == 0) {
            throw new AssertionError("reply to " + request + " flags " + flags + ", expected a reply to " + expectedRequest);
        }
        ByteBuffer body = payload(size);
        if (!readFully(body)) {
            throw new AssertionError("truncated reply");
        }
        body.flip();
        return body;
    }

    long replyU64(int expectedRequest) throws NativeException {
        ByteBuffer b = reply(expectedRequest);
        if (b == null) {
            throw new AssertionError("connection closed instead of a reply to " + expectedRequest);
        }
        return b.getLong(0);
    }

    /** True if the back end closed the connection (end of stream), false if it sent something. */
    boolean closedByPeer() throws NativeException {
        ByteBuffer one = payload(1);
        try {
            return socket.recv(one, fds) == 0;
        } catch (NativeException e) {
            return true; // ECONNRESET
        }
    }

    private boolean readFully(ByteBuffer b) throws NativeException {
        while (b.hasRemaining()) {
            if (socket.recv(b, fds) == 0) {
                if (b.position() == 0) {
                    return false;
                }
                throw new AssertionError("truncated message");
            }
        }
        return true;
    }

    @Override
    public void close() {
        socket.close();
    }
}
