package org.vgpu.device.input;

import java.util.ArrayList;
import java.util.List;

import org.vgpu.gpu.FakeGuestMemory;
import org.vgpu.virtio.api.Interrupt;
import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.runtime.BasicActivation;

/** Plays the guest's virtio-input driver: the two queues' rings and buffers in fake guest memory. */
final class GuestDriver {
    static final int SIZE = 8;
    private static final int F_NEXT = 1;
    private static final int F_WRITE = 2;
    private static final long[] DESC = {0x1000, 0x4000};
    private static final long[] AVAIL = {0x2000, 0x5000};
    private static final long[] USED = {0x3000, 0x6000};
    private static final long[] BUFFERS = {0x10000, 0x20000};

    final FakeGuestMemory memory = new FakeGuestMemory(0, 1 << 20);
    final SplitQueue[] queues = {new SplitQueue(0, SIZE), new SplitQueue(1, SIZE)};
    final int[] interrupts = new int[2];
    final List<String> resets = new ArrayList<>();
    private final int[] availIdx = new int[2];
    private final int[] nextDesc = new int[2];
    private final int[] consumedUsed = new int[2];

    GuestDriver() throws Exception {
        for (int q = 0; q < 2; q++) {
            queues[q].setAddresses(DESC[q], AVAIL[q], USED[q]);
            queues[q].validate(memory);
            queues[q].setReady(true);
        }
    }

    BasicActivation activation() {
        Interrupt irq = new Interrupt() {
            @Override public void signalQueue(int queueIndex) { interrupts[queueIndex]++; }
            @Override public void signalConfig() { }
        };
        return new BasicActivation(memory, queues, irq, resets::add, "test");
    }

    /** Offers one buffer of len bytes (device-writable or not) on queue q; returns its head. */
    int give(int q, int len, boolean writable) throws GuestMemoryException {
        int head = nextDesc[q]++ % SIZE;
        desc(q, head, buffer(q, head), len, writable ? F_WRITE : 0, 0);
        return publish(q, head);
    }

    /** Offers a chain of two writable descriptors of a and b bytes on the event queue. */
    int giveSplit(int a, int b) throws GuestMemoryException {
        int head = nextDesc[0]++ % SIZE;
        int second = nextDesc[0]++ % SIZE;
        desc(0, head, buffer(0, head), a, F_WRITE | F_NEXT, second);
        desc(0, second, buffer(0, second), b, F_WRITE, 0);
        return publish(0, head);
    }

    /** One status entry, as the Linux driver sends it: 8 device-readable bytes. */
    int status(int type, int code, int value) throws GuestMemoryException {
        int head = give(1, 8, false);
        long at = buffer(1, head);
        memory.writeShort(at, (short) type);
        memory.writeShort(at + 2, (short) code);
        memory.writeInt(at + 4, value);
        return head;
    }

    void desc(int q, int index, long addr, long len, int flags, int next) throws GuestMemoryException {
        long at = DESC[q] + 16L * index;
        memory.writeLong(at, addr);
        memory.writeInt(at + 8, (int) len);
        memory.writeShort(at + 12, (short) flags);
        memory.writeShort(at + 14, (short) next);
    }

    int publish(int q, int head) throws GuestMemoryException {
        memory.writeShort(AVAIL[q] + 4 + 2L * (availIdx[q] % SIZE), (short) head);
        availIdx[q] = (availIdx[q] + 1) & 0xffff;
        memory.writeShort(AVAIL[q] + 2, (short) availIdx[q]);
        return head;
    }

    void setAvailIdx(int q, int idx) throws GuestMemoryException {
        memory.writeShort(AVAIL[q] + 2, (short) idx);
    }

    static long buffer(int q, int head) {
        return BUFFERS[q] + 0x100L * head;
    }

    int usedIdx(int q) throws GuestMemoryException {
        return memory.readShort(USED[q] + 2) & 0xffff;
    }

    /** The used elements not seen yet, each {id, len}. */
    List<int[]> takeUsed(int q) throws GuestMemoryException {
        List<int[]> used = new ArrayList<>();
        while (consumedUsed[q] != usedIdx(q)) {
            long at = USED[q] + 4 + 8L * (consumedUsed[q] % SIZE);
            used.add(new int[] {memory.readInt(at), memory.readInt(at + 4)});
            consumedUsed[q] = (consumedUsed[q] + 1) & 0xffff;
        }
        return used;
    }

    /** The virtio_input_event the device wrote at an event buffer: {type, code, value}. */
    int[] eventIn(int head) throws GuestMemoryException {
        long at = buffer(0, head);
        return new int[] {memory.readShort(at) & 0xffff, memory.readShort(at + 2) & 0xffff, memory.readInt(at + 4)};
    }

    /** Every event delivered since the last call, in order, as "type:code:value". */
    List<String> takeEvents() throws GuestMemoryException {
        List<String> events = new ArrayList<>();
        for (int[] u : takeUsed(0)) {
            if (u[1] == 8) {
                int[] e = eventIn(u[0]);
                events.add(e[0] + ":" + e[1] + ":" + e[2]);
            } else {
                events.add("len" + u[1]);
            }
        }
        return events;
    }
}
