package org.vgpu.device.input;

import java.nio.ByteBuffer;

import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.queue.DescriptorChain;

/**
 * Decodes one status queue buffer: exactly one device-readable virtio_input_event (8 bytes), as
 * the Linux driver sends it (virtinput_send_status). Anything else is not a status entry.
 */
final class StatusEntry {
    static final int SIZE = 8;
    /** decode's answer for a chain that is not one readable 8-byte event. */
    static final long MALFORMED = -1L;

    private StatusEntry() {
    }

    /**
     * The entry as {@link EventRing#pack} packs it, or {@link #MALFORMED} for a chain with the
     * wrong length or with device-writable buffers. scratch: 8 bytes, little-endian.
     */
    static long decode(DescriptorChain chain, ByteBuffer scratch) throws GuestMemoryException {
        if (chain.readableLength() != SIZE || chain.writableLength() != 0) {
            return MALFORMED;
        }
        chain.reader().read(scratch, 0, SIZE);
        return EventRing.pack(scratch.getShort(0) & 0xffff, scratch.getShort(2) & 0xffff, scratch.getInt(4));
    }
}
