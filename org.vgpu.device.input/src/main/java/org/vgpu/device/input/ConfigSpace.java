package org.vgpu.device.input;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The device configuration space (virtio_input_config): the driver writes select and subsel,
 * the device answers with size and the union. Only bytes 0 and 1 are writable; a write anywhere
 * else is ignored and counted, and a select or subsel the device does not know is answered with
 * size 0, as the spec asks. Thread-safe: transports call it from their own threads.
 */
final class ConfigSpace {
    static final int SELECT = 0;
    static final int SUBSEL = 1;
    static final int SIZE = 2;
    static final int PAYLOAD = 8;
    /** u8 select, u8 subsel, u8 size, u8 reserved[5], union of 128 bytes. */
    static final int LENGTH = PAYLOAD + InputProfile.PAYLOAD_MAX;

    private final InputProfile profile;
    private final ByteBuffer image = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer payload;
    private long unanswered;
    private long readOnlyWrites;

    ConfigSpace(InputProfile profile) {
        this.profile = profile;
        this.payload = image.position(PAYLOAD).slice().order(ByteOrder.LITTLE_ENDIAN);
        image.clear();
        select(0, 0);
    }

    synchronized void read(int offset, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            dst.put(offset >= 0 && offset < LENGTH ? image.get(offset) : 0);
            offset++;
        }
    }

    synchronized void write(int offset, ByteBuffer src) {
        int select = image.get(SELECT) & 0xff;
        int subsel = image.get(SUBSEL) & 0xff;
        boolean changed = false;
        while (src.hasRemaining()) {
            byte b = src.get();
            if (offset == SELECT || offset == SUBSEL) {
                if (offset == SELECT) {
                    select = b & 0xff;
                } else {
                    subsel = b & 0xff;
                }
                changed = true;
            } else {
                readOnlyWrites++;
            }
            offset++;
        }
        if (changed) {
            select(select, subsel);
        }
    }

    /** Back to select 0 (UNSET), as after a device reset. */
    synchronized void reset() {
        select(0, 0);
    }

    private void select(int select, int subsel) {
        int size = profile.answer(select, subsel, payload);
        if (size == 0 && select != InputProfile.CFG_UNSET) {
            unanswered++;
        }
        image.put(SELECT, (byte) select).put(SUBSEL, (byte) subsel).put(SIZE, (byte) size);
    }

    /** Selections answered with size 0 (the driver probes; a hostile one probes everything). */
    synchronized long unanswered() {
        return unanswered;
    }

    /** Bytes the driver wrote outside select and subsel, ignored. */
    synchronized long readOnlyWrites() {
        return readOnlyWrites;
    }
}
