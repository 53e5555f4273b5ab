package org.vgpu.backend.hostmem;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.vgpu.gpu.ControlQueueDriver;
import org.vgpu.gpu.GpuDevice;
import org.vgpu.gpu.GpuSettings;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.gpu.crossdomain.CrossDomainContextType;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * A guest driver for cross-domain tests through the device's real command path: a GpuDevice with
 * the hostmem backend and a host-visible window, its control queue in guest memory, served by a
 * QueueWorker thread, and the commands a proxy such as sommelier sends (CTX_CREATE with
 * context_init, MAPPABLE GUEST blobs as rings, SUBMIT_3D of cross-domain commands, fences on the
 * channel ring). Bounded waits only.
 */
final class CrossDomainGuest implements AutoCloseable {
    /** Guest pages for rings: after the driver's request slots. */
    static final long PAGES = ControlQueueDriver.FREE;
    static final long BASE = ControlQueueDriver.DESC;
    static final long RAM = 8 << 20;
    static final long WINDOW = 1L << 30;
    static final int FENCED_RING = FLAG_FENCE | FLAG_INFO_RING_IDX;

    final GuestMemoryMap mem = new GuestMemoryMap();
    final FakeHostVisibleWindow window = new FakeHostVisibleWindow(WINDOW);
    final GpuDevice device;
    final ControlQueueDriver queue;
    private long nextPage = PAGES;
    private long nextFence = 1;

    CrossDomainGuest(GpuSettings settings) throws Exception {
        mem.addRegion(MemoryRegion.anonymous(BASE, RAM));
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        selector.add(new HostmemBackend(), 50);
        device = new GpuDevice(settings.withCrossDomain(true), selector, new CrossDomainContextType());
        device.ackFeatures(device.offeredFeatures() | 1L << F_RESOURCE_BLOB);
        queue = new ControlQueueDriver(device, mem, List.of(window), r -> { });
        device.state().setBlobEnabled(true);
    }

    @Override
    public void close() {
        queue.close();
        device.reset();
        mem.close();
    }

    /** Queues one command (header + body) and kicks; returns its chain number. */
    int submitCommand(int type, int flags, long fence, int ctx, int ring, ByteBuffer body) throws Exception {
        ByteBuffer r = ControlQueueDriver.request(type, flags, fence, ctx, ring, body.limit());
        r.put(ControlQueueDriver.HEADER, body, 0, body.limit());
        return queue.submit(r);
    }

    /** Whether the device has used the chain (its response is final). */
    boolean isDone(int chain) throws Exception {
        return queue.isDone(chain);
    }

    /** Waits up to timeoutMillis for the chain; its response type. */
    int await(int chain, long timeoutMillis) throws Exception {
        return queue.await(chain, timeoutMillis);
    }

    int response(int chain) throws Exception {
        return queue.response(chain);
    }

    /** A command that completes at once; its response type. */
    int command(int type, int ctx, ByteBuffer body) throws Exception {
        return await(submitCommand(type, 0, 0, ctx, 0, body), 10_000);
    }

    static ByteBuffer words(int... w) {
        ByteBuffer b = ByteBuffer.allocate(4 * w.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < w.length; i++) {
            b.putInt(4 * i, w[i]);
        }
        return b;
    }

    int createContext(int ctx, int capset) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 + 64).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = "proxy".getBytes();
        b.putInt(0, name.length).putInt(4, capset).put(8, name);
        return command(CMD_CTX_CREATE, ctx, b);
    }

    /** Guest pages, contiguous. */
    long allocate(long bytes) {
        long at = nextPage;
        nextPage += (bytes + 4095) & ~4095L;
        assertTrue(nextPage <= BASE + RAM, "test guest RAM exhausted");
        return at;
    }

    /** A MAPPABLE GUEST blob of pages at address, attached to ctx (how a proxy makes its rings). */
    int guestBlob(int ctx, int id, long address, long size) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, id).putInt(4, BLOB_MEM_GUEST).putInt(8, BLOB_FLAG_USE_MAPPABLE).putInt(12, 1).putLong(16, 0).putLong(24, size)
                .putLong(32, address);
        ByteBuffer withEntry = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        withEntry.put(0, b, 0, 40).putInt(40, (int) size);
        int r = command(CMD_RESOURCE_CREATE_BLOB, ctx, withEntry);
        return r != RESP_OK_NODATA ? r : command(CMD_CTX_ATTACH_RESOURCE, ctx, words(id, 0));
    }

    /** RESOURCE_CREATE_BLOB(HOST3D) of a promised blob_id; MAPPABLE | SHAREABLE. */
    int hostBlob(int ctx, int id, long blobId, long size) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, id).putInt(4, BLOB_MEM_HOST3D).putInt(8, BLOB_FLAG_USE_MAPPABLE | BLOB_FLAG_USE_SHAREABLE).putInt(12, 0)
                .putLong(16, blobId).putLong(24, size);
        return command(CMD_RESOURCE_CREATE_BLOB, ctx, b);
    }

    int mapBlob(int ctx, int id, long offset) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, id).putLong(8, offset);
        return command(CMD_RESOURCE_MAP_BLOB, ctx, b);
    }

    /** SUBMIT_3D of cross-domain command bytes (ring 0, no fence). */
    int submit(int ctx, ByteBuffer commands) throws Exception {
        return command(CMD_SUBMIT_3D, ctx, submitBody(commands));
    }

    static ByteBuffer submitBody(ByteBuffer commands) {
        ByteBuffer b = ByteBuffer.allocate(8 + commands.limit()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, commands.limit()).put(8, commands, 0, commands.limit());
        return b;
    }

    /** A POLL on the channel ring with a new fence: the chain completes when a message is in the ring. */
    int poll(int ctx) throws Exception {
        ByteBuffer poll = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        poll.put(0, (byte) 3).putShort(2, (short) 16);
        return submitCommand(CMD_SUBMIT_3D, FENCED_RING, nextFence++, ctx, 1, submitBody(poll));
    }

    ByteBuffer read(long address, int length) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        mem.read(address, b, 0, length);
        return b;
    }
}
