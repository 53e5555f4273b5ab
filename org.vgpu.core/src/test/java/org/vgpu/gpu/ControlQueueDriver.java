package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Consumer;

import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.runtime.BasicActivation;
import org.vgpu.virtio.runtime.EventFdInterrupt;
import org.vgpu.virtio.runtime.QueueWorker;
import org.vgpu.virtio.sys.EventFd;

/**
 * Plays the guest driver on a GPU device's control queue, as a transport would serve it: a split
 * ring in real guest memory (at least [{@link #DESC}, {@link #FREE}) must be mapped), each request
 * a chain of one readable and one writable descriptor in a slot of its own, a queue worker
 * thread serving kicks. Completions may come out of order (held fences); waits are bounded.
 * The caller acks the device's features first and closes the memory after this.
 */
public final class ControlQueueDriver implements AutoCloseable {
    public static final long DESC = 0x100000, AVAIL = DESC + 0x2000, USED = DESC + 0x3000, SLOTS = DESC + 0x10000;
    public static final int QSIZE = 256, CHAINS = QSIZE / 2, SLOT = 0x3000, RESPONSE = 0x2800;
    /** Guest memory after the request slots, free for the test's own use (backing pages, rings). */
    public static final long FREE = SLOTS + (long) SLOT * CHAINS;
    public static final int HEADER = 24;

    public final GuestMemoryMap memory;
    private final EventFd kick;
    private final EventFd call;
    private final QueueWorker worker;
    private final int[] chainAtHead = new int[QSIZE];
    private final boolean[] done = new boolean[CHAINS];
    private final int[] usedChains = new int[1 << 16];
    private int chains;
    private int usedSeen;

    public ControlQueueDriver(GpuDevice device, GuestMemoryMap memory) throws Exception {
        this(device, memory, List.of(), reason -> { });
    }

    /** With the transport's shared memory windows and its needsReset hook. */
    public ControlQueueDriver(GpuDevice device, GuestMemoryMap memory, List<SharedMemoryWindow> windows, Consumer<String> needsReset)
            throws Exception {
        this.memory = memory;
        SplitQueue control = new SplitQueue(0, QSIZE);
        control.setAddresses(DESC, AVAIL, USED);
        control.setReady(true);
        kick = EventFd.create(true);
        call = EventFd.create(true);
        EventFdInterrupt interrupt = new EventFdInterrupt(2, () -> { });
        interrupt.setCallFd(0, call);
        BasicActivation activation = new BasicActivation(memory, new SplitQueue[] {control, null}, interrupt, needsReset, "test", windows);
        device.activate(activation);
        worker = new QueueWorker(device, activation, new EventFd[] {kick, null});
        worker.start();
    }

    /** A request: the header (type, flags, fence, ctx, ring) and room for the body from index {@link #HEADER}. */
    public static ByteBuffer request(int type, int flags, long fenceId, int ctxId, int ringIdx, int bodyBytes) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + bodyBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type).putInt(4, flags).putLong(8, fenceId).putInt(16, ctxId).put(20, (byte) ringIdx);
        return b;
    }

    /** A request whose body is these le32 words. */
    public static ByteBuffer requestWords(int type, int flags, long fenceId, int ctxId, int ringIdx, int... words) {
        ByteBuffer b = request(type, flags, fenceId, ctxId, ringIdx, 4 * words.length);
        for (int i = 0; i < words.length; i++) {
            b.putInt(HEADER + 4 * i, words[i]);
        }
        return b;
    }

    /** Makes a request available (not yet kicked); returns its chain number. At most {@link #CHAINS} in flight. */
    public int queue(ByteBuffer request) throws Exception {
        assertTrue(request.capacity() <= RESPONSE, "request too large for a slot");
        int chain = chains++;
        int slot = chain % CHAINS;
        int head = 2 * slot;
        long req = SLOTS + (long) SLOT * slot;
        memory.write(req, request, 0, request.capacity());
        memory.writeInt(req + RESPONSE, 0);
        writeDesc(head, req, request.capacity(), 1, head + 1);
        writeDesc(head + 1, req + RESPONSE, SLOT - RESPONSE, 2, 0);
        chainAtHead[head] = chain;
        done[slot] = false;
        memory.writeShort(AVAIL + 4 + 2L * (chain % QSIZE), (short) head);
        memory.writeShort(AVAIL + 2, (short) (chain + 1));
        return chain;
    }

    public void kick() throws Exception {
        kick.signal();
    }

    /** queue, then kick. */
    public int submit(ByteBuffer request) throws Exception {
        int chain = queue(request);
        kick();
        return chain;
    }

    private void writeDesc(int i, long addr, int len, int flags, int next) throws Exception {
        memory.writeLong(DESC + 16L * i, addr);
        memory.writeInt(DESC + 16L * i + 8, len);
        memory.writeShort(DESC + 16L * i + 12, (short) flags);
        memory.writeShort(DESC + 16L * i + 14, (short) next);
    }

    /** The used ring's index: chains completed so far. */
    public int used() throws Exception {
        return memory.readShort(USED + 2) & 0xffff;
    }

    /** Waits (up to 20 s) until n chains are used. */
    public void awaitUsed(int n) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (used() < n) {
            assertTrue(System.nanoTime() < deadline, "the device used " + used() + " of " + n + " chains in 20 s");
            Thread.sleep(1);
        }
    }

    /** The chain the device completed n-th (0-based), in used-ring order. */
    public int usedChain(int n) throws Exception {
        collect();
        assertTrue(n < usedSeen, "only " + usedSeen + " chains used");
        return usedChains[n];
    }

    private void collect() throws Exception {
        int used = used();
        while ((usedSeen & 0xffff) != used) {
            int head = memory.readInt(USED + 4 + 8L * (usedSeen % QSIZE));
            int chain = chainAtHead[head % QSIZE];
            done[chain % CHAINS] = true;
            usedChains[usedSeen & 0xffff] = chain;
            usedSeen++;
        }
    }

    /** Whether the device has used the chain (its response is final). */
    public boolean isDone(int chain) throws Exception {
        collect();
        return done[chain % CHAINS] && chain < chains;
    }

    /** Waits up to timeoutMillis for the chain; its response type. */
    public int await(int chain, long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!isDone(chain)) {
            assertTrue(System.nanoTime() < deadline, "command " + chain + " not completed within " + timeoutMillis + " ms");
            Thread.sleep(1);
        }
        return response(chain);
    }

    /** A request submitted and awaited (10 s); its response type. */
    public int command(ByteBuffer request) throws Exception {
        return await(submit(request), 10_000);
    }

    /** The response type a chain got. */
    public int response(int chain) throws Exception {
        return responseInt(chain, 0);
    }

    /** The le32 at offset of a chain's response. */
    public int responseInt(int chain, int offset) throws Exception {
        return memory.readInt(SLOTS + (long) SLOT * (chain % CHAINS) + RESPONSE + offset);
    }

    /** The fence id a chain's response echoes. */
    public long responseFence(int chain) throws Exception {
        return memory.readLong(SLOTS + (long) SLOT * (chain % CHAINS) + RESPONSE + 8);
    }

    /** Reads and resets the call eventfd: the interrupts the device raised since the last look. */
    public long consumeInterrupts() throws Exception {
        return call.consume();
    }

    /** Stops the worker; the device and the memory stay the caller's. */
    @Override
    public void close() {
        worker.stop();
        kick.close();
        call.close();
    }
}
