package org.vgpu.vhostuser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One received vhost-user message: header fields, payload and passed fds. Reused for every
 * message of a connection (no allocation per message); payload is little-endian.
 */
final class Request {
    int request;
    int flags;
    int size;
    final ByteBuffer payload = ByteBuffer.allocateDirect(VhostUserProtocol.MAX_PAYLOAD).order(ByteOrder.LITTLE_ENDIAN);
    final int[] fds = new int[VhostUserProtocol.MAX_FDS];
    int fdCount;

    boolean needsReply() {
        return (flags & VhostUserProtocol.FLAG_NEED_REPLY) != 0;
    }

    /** Checks the payload is exactly the size this request type has. */
    void expectSize(int expected) throws ProtocolViolation {
        if (size != expected) {
            throw new ProtocolViolation(VhostUserProtocol.requestName(request) + ": payload of " + size
                    + " bytes, expected " + expected);
        }
    }

    void expectSizeAtLeast(int expected) throws ProtocolViolation {
        if (size < expected) {
            throw new ProtocolViolation(VhostUserProtocol.requestName(request) + ": payload of " + size
                    + " bytes, expected at least " + expected);
        }
    }

    void expectFds(int expected) throws ProtocolViolation {
        if (fdCount != expected) {
            throw new ProtocolViolation(VhostUserProtocol.requestName(request) + ": " + fdCount + " fds, expected " + expected);
        }
    }

    /** Takes ownership of fd i (the caller closes it); the rest are closed by the connection. */
    int takeFd(int i) {
        int fd = fds[i];
        fds[i] = -1;
        return fd;
    }

    long u64(int offset) {
        return payload.getLong(offset);
    }

    int u32(int offset) {
        return payload.getInt(offset);
    }
}
