package org.vgpu.device.input;

/**
 * The events the host produced and the guest has no buffer for yet: a fixed ring of packed
 * virtio_input_event values (le16 type, le16 code, le32 value in one long), so holding an event
 * allocates nothing. When full, the oldest event group (up to and including its SYN_REPORT) is
 * dropped to make room, so the guest later sees whole groups, and the drop is counted. Not
 * thread-safe: the device's lock guards it.
 */
final class EventRing {
    private final long[] events;
    private int head; // index of the oldest event
    private int count;
    private long dropped;

    EventRing(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("event ring capacity " + capacity + " < 2");
        }
        events = new long[capacity];
    }

    static long pack(int type, int code, int value) {
        return (long) (type & 0xffff) | (long) (code & 0xffff) << 16 | (long) value << 32;
    }

    static int type(long event) {
        return (int) event & 0xffff;
    }

    static int code(long event) {
        return (int) (event >>> 16) & 0xffff;
    }

    static int value(long event) {
        return (int) (event >>> 32);
    }

    /** Appends one event, dropping the oldest group first if the ring is full. */
    void push(int type, int code, int value) {
        if (count == events.length) {
            dropOldestGroup();
        }
        events[(head + count) % events.length] = pack(type, code, value);
        count++;
    }

    private void dropOldestGroup() {
        while (count > 0) {
            long e = events[head];
            head = (head + 1) % events.length;
            count--;
            dropped++;
            if (type(e) == Evdev.EV_SYN && code(e) == Evdev.SYN_REPORT) {
                return;
            }
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** The oldest event; the ring must not be empty. */
    long peek() {
        if (count == 0) {
            throw new IllegalStateException("empty event ring");
        }
        return events[head];
    }

    /** Removes the oldest event (delivered). */
    void remove() {
        peek();
        head = (head + 1) % events.length;
        count--;
    }

    /** Drops everything held (device reset), counting it. */
    void clear() {
        dropped += count;
        head = 0;
        count = 0;
    }

    /** Counts events that were never held (no driver to hold them for). */
    void countDropped(int n) {
        dropped += n;
    }

    int size() {
        return count;
    }

    int capacity() {
        return events.length;
    }

    long dropped() {
        return dropped;
    }
}
