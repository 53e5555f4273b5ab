package org.vgpu.vhostuser;

import static org.vgpu.vhostuser.VhostUserProtocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * The back-end request channel (SET_BACKEND_REQ_FD): requests from vgpu to the front end, one at
 * a time, with their REPLY_ACK when negotiated.
 *
 * QEMU serves this channel from its main loop, and that loop blocks while it waits for vgpu's
 * reply to a front-end request. So while the connection handles a front-end request (see
 * {@link #frontEndWaiting}) vgpu never waits here: requests go without NEED_REPLY, and a request
 * already waiting for its ack stops waiting (counted as done; its late reply is discarded before
 * the next one). Otherwise a map issued during, say, GET_VRING_BASE would hold both sides until
 * the timeout. Any wait is bounded by {@link #REPLY_TIMEOUT_MS}.
 */
final class BackendChannel implements AutoCloseable {
    static final int REPLY_TIMEOUT_MS = 2000;
    /** How often a waiting request looks whether the front end started waiting on vgpu. */
    private static final int POLL_MS = 20;

    /** How a request ended. */
    enum Outcome { ACKED, REFUSED, UNCONFIRMED }

    private final UnixSocket socket;
    private volatile boolean replyAck;
    private final ByteBuffer reply = ByteBuffer.allocateDirect(HEADER_SIZE + 8).order(ByteOrder.LITTLE_ENDIAN);
    private final int[] fdsIn = new int[UnixSocket.MAX_FDS];
    private volatile boolean frontEndWaiting;
    /** Replies still to come for requests whose wait was given up; they arrive first. */
    private int owedReplies;
    private long lastRefusal;

    BackendChannel(UnixSocket socket, boolean replyAck) {
        this.socket = socket;
        this.replyAck = replyAck;
    }

    /** REPLY_ACK negotiated (SET_PROTOCOL_FEATURES may come after SET_BACKEND_REQ_FD). */
    void replyAck(boolean negotiated) {
        replyAck = negotiated;
    }

    /** Set by the connection while it handles a front-end request: the front end may be blocked on vgpu. */
    void frontEndWaiting(boolean waiting) {
        frontEndWaiting = waiting;
    }

    /** The front end's non-zero answer to the last REFUSED request. */
    synchronized long lastRefusal() {
        return lastRefusal;
    }

    /**
     * Sends message (a whole request: 12-byte header, then the body; its flags are set here) with
     * fds, and waits for the ack when the front end can answer now.
     */
    synchronized Outcome request(ByteBuffer message, int... fds) throws IOException {
        boolean wait = replyAck && !frontEndWaiting;
        int flags = FLAG_VERSION_1 | (wait ? FLAG_NEED_REPLY : 0);
        message.putInt(message.position() + 4, flags);
        int type = message.getInt(message.position());
        socket.send(message, fds); // the fds travel with the first bytes
        while (message.hasRemaining()) {
            socket.send(message);
        }
        if (!wait) {
            return Outcome.UNCONFIRMED;
        }
        long deadline = System.nanoTime() + REPLY_TIMEOUT_MS * 1_000_000L;
        while (owedReplies > 0) {
            if (awaitReply(deadline) == null) {
                return gaveUp();
            }
            owedReplies--; // an earlier request's late ack
        }
        Long value = awaitReply(deadline);
        if (value == null) {
            return gaveUp();
        }
        if (reply.getInt(0) != type) {
            throw new IOException("back-end channel: reply to " + reply.getInt(0) + " for request " + type);
        }
        if (value != 0) {
            lastRefusal = value;
            return Outcome.REFUSED;
        }
        return Outcome.ACKED;
    }

    private Outcome gaveUp() throws IOException {
        if (!frontEndWaiting) {
            throw new IOException("no reply from the front end within " + REPLY_TIMEOUT_MS + " ms");
        }
        owedReplies++;
        return Outcome.UNCONFIRMED;
    }

    /**
     * One REPLY_ACK (u64 body), or null when the front end started waiting on vgpu before any
     * byte of it came. Throws at the deadline or on a malformed reply.
     */
    private Long awaitReply(long deadline) throws IOException {
        reply.clear();
        while (reply.hasRemaining()) {
            if (reply.position() == 0 && frontEndWaiting) {
                return null;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new IOException("no reply from the front end within " + REPLY_TIMEOUT_MS + " ms");
            }
            if (!socket.awaitReadable((int) Math.min(left, POLL_MS))) {
                continue;
            }
            if (socket.recv(reply, fdsIn) == 0) {
                throw new IOException("the front end closed the back-end channel");
            }
            for (int fd : fdsIn) {
                LinuxNative.closeQuietly(fd); // replies carry none
            }
        }
        if ((reply.getInt(4) & FLAG_REPLY) == 0 || reply.getInt(8) != 8) {
            throw new IOException("back-end channel: malformed reply");
        }
        return reply.getLong(HEADER_SIZE);
    }

    @Override
    public void close() {
        socket.close();
    }
}
