package org.vgpu.backend.hostmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest proxy's end of one cross-domain Wayland channel, as sommelier drives it: a context
 * with a query ring and a channel ring, INIT of the Wayland channel, SEND of bytes with
 * identifiers, and POLLs whose fences complete when the device wrote a RECEIVE or READ into the
 * channel ring.
 */
final class ChannelPeer {
    static final int SEND_RECEIVE = 352, IDS = 16, TYPES = 128, SIZES = 240, READ_WRITE = 24;
    static final int CMD_SEND = 4, CMD_RECEIVE = 5, CMD_READ = 6, CMD_WRITE = 7;
    static final int ID_BLOB = 1, ID_READ_PIPE = 3, ID_WRITE_PIPE = 4;

    /** One message the device put into the channel ring. */
    record Message(int cmd, int[] ids, int[] types, int[] sizes, byte[] data, int identifier, boolean hangUp) {
    }

    final CrossDomainGuest guest;
    final int ctx, queryRing, channelRing;
    final long queryAddress, channelAddress;
    int pendingPoll = -1;

    ChannelPeer(CrossDomainGuest guest, int ctx, int queryRing, int channelRing) throws Exception {
        this.guest = guest;
        this.ctx = ctx;
        this.queryRing = queryRing;
        this.channelRing = channelRing;
        assertEquals(RESP_OK_NODATA, guest.createContext(ctx, CAPSET_CROSS_DOMAIN));
        queryAddress = guest.allocate(4096);
        channelAddress = guest.allocate(4096);
        assertEquals(RESP_OK_NODATA, guest.guestBlob(ctx, queryRing, queryAddress, 4096));
        assertEquals(RESP_OK_NODATA, guest.guestBlob(ctx, channelRing, channelAddress, 4096));
    }

    static ByteBuffer init(int query, int channel, int type) {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 1).putShort(2, (short) 20).putInt(8, query).putInt(12, channel).putInt(16, type);
        return b;
    }

    int initWayland() throws Exception {
        return guest.submit(ctx, init(queryRing, channelRing, 1));
    }

    /** CrossDomainSendReceive for SEND with identifiers {id, type} pairs. */
    static ByteBuffer sendCommand(byte[] data, int... idTypePairs) {
        ByteBuffer b = ByteBuffer.allocate(SEND_RECEIVE + ((data.length + 3) & ~3)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) CMD_SEND).putShort(2, (short) b.limit());
        b.putInt(8, idTypePairs.length / 2).putInt(12, data.length);
        for (int i = 0; i < idTypePairs.length / 2; i++) {
            b.putInt(IDS + 4 * i, idTypePairs[2 * i]).putInt(TYPES + 4 * i, idTypePairs[2 * i + 1]);
        }
        b.put(SEND_RECEIVE, data);
        return b;
    }

    int send(byte[] data, int... idTypePairs) throws Exception {
        return guest.submit(ctx, sendCommand(data, idTypePairs));
    }

    static ByteBuffer write(int identifier, boolean hangUp, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(READ_WRITE + ((data.length + 3) & ~3)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) CMD_WRITE).putShort(2, (short) b.limit());
        b.putInt(8, identifier).putInt(12, hangUp ? 1 : 0).putInt(16, data.length);
        b.put(READ_WRITE, data);
        return b;
    }

    /** Starts a poll unless one is outstanding. */
    void startPoll() throws Exception {
        if (pendingPoll < 0) {
            pendingPoll = guest.poll(ctx);
        }
    }

    /** Whether the outstanding poll completed (a message is in the ring). */
    boolean pollDone() throws Exception {
        return pendingPoll >= 0 && guest.isDone(pendingPoll);
    }

    /** Polls and waits for the next message in the channel ring. */
    Message next(long timeoutMillis) throws Exception {
        startPoll();
        assertEquals(RESP_OK_NODATA, guest.await(pendingPoll, timeoutMillis));
        pendingPoll = -1;
        return ring();
    }

    /** Decodes what the channel ring holds now. */
    Message ring() throws Exception {
        ByteBuffer r = guest.read(channelAddress, 4096);
        int cmd = r.get(0) & 0xff;
        if (cmd == CMD_READ) {
            int size = r.getInt(16);
            assertTrue(size >= 0 && size <= 4096 - READ_WRITE, "READ size " + size);
            byte[] data = new byte[size];
            r.get(READ_WRITE, data);
            return new Message(cmd, new int[0], new int[0], new int[0], data, r.getInt(8), r.getInt(12) != 0);
        }
        assertEquals(CMD_RECEIVE, cmd, "a RECEIVE or READ in the channel ring");
        int n = r.getInt(8);
        int size = r.getInt(12);
        assertTrue(n >= 0 && n <= 28 && size >= 0 && size <= 4096 - SEND_RECEIVE, n + " ids, " + size + " bytes");
        int[] ids = new int[n], types = new int[n], sizes = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.getInt(IDS + 4 * i);
            types[i] = r.getInt(TYPES + 4 * i);
            sizes[i] = r.getInt(SIZES + 4 * i);
        }
        byte[] data = new byte[size];
        r.get(SEND_RECEIVE, data);
        return new Message(cmd, ids, types, sizes, data, 0, false);
    }

    /** Receives until the bytes hold a whole number of Wayland messages and `until` matches one; every event so far. */
    List<Wayland.Event> eventsUntil(Wayland.Stream stream, java.util.function.Predicate<Wayland.Event> until, long timeoutMillis)
            throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        List<Wayland.Event> all = new ArrayList<>();
        while (true) {
            for (Wayland.Event e : stream.events()) {
                all.add(e);
                if (until.test(e)) {
                    return all;
                }
            }
            long left = deadline - System.currentTimeMillis();
            assertTrue(left > 0, "no matching event within " + timeoutMillis + " ms; got " + all);
            Message m = next(left);
            assertEquals(CMD_RECEIVE, m.cmd());
            assertTrue(m.data().length > 0 || m.ids().length > 0, "the compositor hung up; events so far " + all);
            stream.add(m);
        }
    }
}
