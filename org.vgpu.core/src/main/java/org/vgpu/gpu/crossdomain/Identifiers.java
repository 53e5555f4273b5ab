package org.vgpu.gpu.crossdomain;

import static org.vgpu.gpu.crossdomain.CrossDomainWire.*;

import java.util.HashMap;
import java.util.Map;

import org.vgpu.virtio.sys.LinuxNative;

/**
 * One context's identifiers: the host fds the compositor passed (named to the guest in RECEIVE),
 * and the numbering the guest relies on. Per context, so no guest can name another's; bounded;
 * every fd held here is closed when it is redeemed or the context ends. Thread-safe (the
 * channel's reader adds, the queue worker looks up).
 */
final class Identifiers {
    /** Host fds a context may hold at once: beyond it the compositor is flooding and its channel ends. */
    static final int MAX_HELD = 128;

    record Held(int type, int fd, long size) {
    }

    private final Map<Integer, Held> held = new HashMap<>();
    private int lastId;      // shared with image-requirement blob ids: both are blob_ids of CREATE_BLOB
    private int lastReadPipe = PIPE_READ_START;
    private boolean closed;

    /** A new identifier below the read-pipe range (image requirements use these too). */
    synchronized int next() {
        lastId = lastId == Integer.MAX_VALUE ? 1 : lastId + 1; // 1 .. 0x7fffffff: read pipes have the upper half
        return lastId;
    }

    /** Holds a received fd; its identifier, or 0 (fd closed) if the context holds too many or has ended. */
    synchronized int add(int type, int fd, long size) {
        if (closed || held.size() >= MAX_HELD) {
            LinuxNative.closeQuietly(fd);
            return 0;
        }
        int id;
        do {
            id = next();
        } while (held.containsKey(id));
        held.put(id, new Held(type, fd, size));
        return id;
    }

    synchronized Held get(int id) {
        return held.get(id);
    }

    /** Forgets an identifier and closes its fd. */
    synchronized void remove(int id) {
        Held h = held.remove(id);
        if (h != null) {
            LinuxNative.closeQuietly(h.fd());
        }
    }

    /** The identifier the next READ_PIPE gets (the guest's guess must equal it). */
    synchronized int nextReadPipe() {
        return lastReadPipe + 1 == 0 ? PIPE_READ_START + 1 : lastReadPipe + 1;
    }

    synchronized int takeReadPipe() {
        lastReadPipe = nextReadPipe();
        return lastReadPipe;
    }

    synchronized int size() {
        return held.size();
    }

    /** The context ended: every held fd is closed, nothing is held afterwards. */
    synchronized void close() {
        closed = true;
        held.values().forEach(h -> LinuxNative.closeQuietly(h.fd()));
        held.clear();
    }
}
