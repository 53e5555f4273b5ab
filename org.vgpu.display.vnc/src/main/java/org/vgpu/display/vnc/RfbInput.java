package org.vgpu.display.vnc;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Buffered big-endian reads from a client's socket; one fixed buffer for the connection. */
final class RfbInput {
    private final ReadableByteChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(8192);

    RfbInput(ReadableByteChannel channel) {
        this.channel = channel;
        buf.flip();
    }

    /** Blocks until n (at most 8192) bytes are buffered; the buffer, positioned at them. */
    ByteBuffer need(int n) throws IOException {
        if (buf.remaining() < n) {
            buf.compact();
            while (buf.position() < n) {
                if (channel.read(buf) < 0) {
                    throw new EOFException("client closed the connection");
                }
            }
            buf.flip();
        }
        return buf;
    }

    int u8() throws IOException {
        return need(1).get() & 0xff;
    }

    int u16() throws IOException {
        return need(2).getShort() & 0xffff;
    }

    int s32() throws IOException {
        return need(4).getInt();
    }

    void bytes(byte[] dst) throws IOException {
        need(dst.length).get(dst);
    }

    /** Reads and drops n bytes (ClientCutText we do not keep). */
    void skip(long n) throws IOException {
        while (n > 0) {
            int step = (int) Math.min(n, buf.capacity());
            ByteBuffer b = need(step);
            b.position(b.position() + step);
            n -= step;
        }
    }
}
