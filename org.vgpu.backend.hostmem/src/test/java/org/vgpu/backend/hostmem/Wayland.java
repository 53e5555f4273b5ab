package org.vgpu.backend.hostmem;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Just enough of the Wayland wire format for a test client: requests out, events in. */
final class Wayland {
    private Wayland() {
    }

    /** A request: object id, opcode, and int / String arguments (new_id, object, uint, int are all le32). */
    static byte[] request(int object, int opcode, Object... args) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Object a : args) {
            if (a instanceof Integer i) {
                le32(body, i);
            } else {
                byte[] s = ((String) a).getBytes(StandardCharsets.UTF_8);
                le32(body, s.length + 1);
                body.writeBytes(s);
                int pad = 4 - s.length % 4;
                body.writeBytes(new byte[pad]); // the NUL and padding to 4
            }
        }
        ByteBuffer m = ByteBuffer.allocate(8 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(object).putInt((8 + body.size()) << 16 | opcode).put(body.toByteArray());
        return m.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void le32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    /** An event: its sender, opcode and argument bytes. */
    record Event(int object, int opcode, ByteBuffer args, int[] identifiers) {
        int u32(int index) {
            return args.getInt(4 * index);
        }

        /** The string argument at byte offset at (after `at / 4` le32 arguments). */
        String string(int at) {
            int len = args.getInt(at);
            byte[] b = new byte[Math.max(0, len - 1)];
            args.get(at + 4, b);
            return new String(b, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return object + "." + opcode;
        }
    }

    /** The byte stream of RECEIVEs, cut into events (one may span two RECEIVEs); identifiers go with the next event. */
    static final class Stream {
        private ByteBuffer pending = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        private final List<Integer> identifiers = new ArrayList<>();
        final List<int[]> received = new ArrayList<>();

        void add(ChannelPeer.Message m) {
            ByteBuffer b = ByteBuffer.allocate(pending.remaining() + m.data().length).order(ByteOrder.LITTLE_ENDIAN);
            b.put(pending).put(m.data()).flip();
            pending = b;
            for (int i = 0; i < m.ids().length; i++) {
                identifiers.add(m.ids()[i]);
                received.add(new int[] {m.ids()[i], m.types()[i], m.sizes()[i]});
            }
        }

        List<Event> events() {
            List<Event> out = new ArrayList<>();
            while (pending.remaining() >= 8) {
                int object = pending.getInt(pending.position());
                int sizeOp = pending.getInt(pending.position() + 4);
                int size = sizeOp >>> 16;
                if (size < 8 || pending.remaining() < size) {
                    break;
                }
                ByteBuffer args = ByteBuffer.allocate(size - 8).order(ByteOrder.LITTLE_ENDIAN);
                args.put(0, pending, pending.position() + 8, size - 8);
                pending.position(pending.position() + size);
                out.add(new Event(object, sizeOp & 0xffff, args, identifiers.stream().mapToInt(Integer::intValue).toArray()));
                identifiers.clear();
            }
            pending = pending.slice().order(ByteOrder.LITTLE_ENDIAN);
            return out;
        }
    }
}
