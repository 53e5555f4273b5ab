package org.vgpu.gpu;

import org.vgpu.gpu.crossdomain.CrossDomainContextType;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.gpu.context.ContextType;

/** A GPU state + decoder over fake guest memory, with request builders as a guest driver would send them. */
public final class GpuHarness {
    public static final long RAM_BASE = 0x4000_0000L;
    public static final int PAGE = 4096;

    /** The fake guest RAM, or null when the harness runs on another accessor (see {@link #memory}). */
    public final FakeGuestMemory mem;
    /** The guest memory the device uses. */
    public final org.vgpu.virtio.memory.GuestMemory memory;
    public final GpuState state;
    public final RankedBackendSelector selector = new RankedBackendSelector();
    public final CommandDecoder decoder;
    public final ByteBuffer req = ByteBuffer.allocateDirect(MAX_REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    public final ByteBuffer resp = ByteBuffer.allocateDirect(MAX_RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    public int respLength;
    private final List<Long> freePages = new ArrayList<>();

    public GpuHarness() {
        this(GpuSettings.defaults("gpu-test"), 32 << 20);
    }

    /** ramBytes of guest RAM; every other page is handed out, in shuffled order, so backings are scattered. */
    public GpuHarness(GpuSettings settings, int ramBytes) {
        this(settings, ramBytes, settings.crossDomain() ? new ContextType[] {new CrossDomainContextType()} : new ContextType[0]);
    }

    /** With these context types present from the start (a cross.domain=true device gets cross-domain above). */
    public GpuHarness(GpuSettings settings, int ramBytes, ContextType... contextTypes) {
        this(settings, new FakeGuestMemory(RAM_BASE, ramBytes), ramBytes, contextTypes);
    }

    /** On this guest memory, whose RAM is ramBytes at {@link #RAM_BASE} (e.g. a GuestMemoryMap over a memfd region). */
    public GpuHarness(GpuSettings settings, org.vgpu.virtio.memory.GuestMemory memory, long ramBytes, ContextType... contextTypes) {
        this.memory = memory;
        this.mem = memory instanceof FakeGuestMemory f ? f : null;
        selector.add(new CopyBackend(), 0);
        state = new GpuState(settings, selector, contextTypes);
        state.setMemory(memory);
        // As a driver that acked every offered feature but RESOURCE_BLOB (blob tests ack it with setBlobEnabled).
        state.setFeatures(state.offeredFeatures() & ~(1L << F_RESOURCE_BLOB));
        decoder = new CommandDecoder(state);
        for (long p = RAM_BASE + PAGE; p + PAGE <= RAM_BASE + ramBytes; p += 2 * PAGE) {
            freePages.add(p);
        }
        Collections.shuffle(freePages, new Random(42));
    }

    /** Starts a request: header with no flags. Returns req for the body fields. */
    public ByteBuffer header(int type) {
        return header(type, 0, 0, 0, 0);
    }

    public ByteBuffer header(int type, int flags, long fenceId, int ctxId, int ringIdx) {
        for (int i = 0; i < 64; i += 8) {
            req.putLong(i, 0);
        }
        req.putInt(HDR_TYPE, type);
        req.putInt(HDR_FLAGS, flags);
        req.putLong(HDR_FENCE_ID, fenceId);
        req.putInt(HDR_CTX_ID, ctxId);
        req.put(HDR_RING_IDX, (byte) ringIdx);
        return req;
    }

    /** Sends req[0, n) and returns the response type (0 if no header fit). */
    public int send(int n) {
        resp.clear();
        for (int i = 0; i + 8 <= resp.capacity(); i += 8) {
            resp.putLong(i, 0xDEADBEEF_DEADBEEFL);
        }
        respLength = decoder.handle(req, n, resp);
        return respLength >= 4 ? resp.getInt(0) : 0;
    }

    /** Sends a command whose body is the given le32 fields. */
    public int cmd(int type, int... fields) {
        header(type);
        for (int i = 0; i < fields.length; i++) {
            req.putInt(HDR_SIZE + 4 * i, fields[i]);
        }
        return send(HDR_SIZE + 4 * fields.length);
    }

    public int create(int id, int format, int w, int h) {
        return cmd(CMD_RESOURCE_CREATE_2D, id, format, w, h);
    }

    public int unref(int id) {
        return cmd(CMD_RESOURCE_UNREF, id, 0);
    }

    public int setScanout(int scanout, int id, int x, int y, int w, int h) {
        return cmd(CMD_SET_SCANOUT, x, y, w, h, scanout, id);
    }

    public int flush(int id, int x, int y, int w, int h) {
        return cmd(CMD_RESOURCE_FLUSH, x, y, w, h, id, 0);
    }

    public int transfer(int id, int x, int y, int w, int h, long offset) {
        header(CMD_TRANSFER_TO_HOST_2D);
        writeTransferBody(id, x, y, w, h, offset);
        return send(REQ_TRANSFER_TO_HOST_2D);
    }

    public void writeTransferBody(int id, int x, int y, int w, int h, long offset) {
        req.putInt(24, x).putInt(28, y).putInt(32, w).putInt(36, h).putLong(40, offset).putInt(48, id).putInt(52, 0);
    }

    public int attach(int id, long[] addrs, int[] lens) {
        header(CMD_RESOURCE_ATTACH_BACKING);
        req.putInt(24, id).putInt(28, addrs.length);
        for (int i = 0; i < addrs.length; i++) {
            int e = REQ_ATTACH_BACKING + i * MEM_ENTRY_SIZE;
            req.putLong(e, addrs[i]).putInt(e + 8, lens[i]).putInt(e + 12, 0);
        }
        return send(REQ_ATTACH_BACKING + addrs.length * MEM_ENTRY_SIZE);
    }

    /** Takes enough scattered, non-adjacent 4 KiB pages for bytes. */
    public long[] pages(long bytes) {
        int n = (int) ((bytes + PAGE - 1) / PAGE);
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = freePages.remove(freePages.size() - 1);
        }
        return p;
    }

    public static int[] pageLengths(int n) {
        int[] l = new int[n];
        java.util.Arrays.fill(l, PAGE);
        return l;
    }

    /** Creates a resource and attaches scattered pages covering it; returns the pages. */
    public long[] createWithBacking(int id, int format, int w, int h) {
        check(create(id, format, w, h), RESP_OK_NODATA);
        long[] p = pages((long) w * h * 4);
        check(attach(id, p, pageLengths(p.length)), RESP_OK_NODATA);
        return p;
    }

    /** Guest-side write of one byte at a backing offset. */
    public void putBacking(long[] pages, long offset, byte b) {
        long gpa = pages[(int) (offset / PAGE)] + offset % PAGE;
        try {
            memory.write(gpa, ByteBuffer.allocate(1).put(0, b), 0, 1);
        } catch (org.vgpu.virtio.memory.GuestMemoryException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Guest-side write of length bytes of src from srcIndex at a backing offset, split at the scattered pages. */
    public void putBacking(long[] pages, long offset, ByteBuffer src, int srcIndex, int length) {
        try {
            while (length > 0) {
                int inPage = (int) Math.min(length, PAGE - offset % PAGE);
                memory.write(pages[(int) (offset / PAGE)] + offset % PAGE, src, srcIndex, inPage);
                offset += inPage;
                srcIndex += inPage;
                length -= inPage;
            }
        } catch (org.vgpu.virtio.memory.GuestMemoryException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte getBacking(long[] pages, long offset) {
        long gpa = pages[(int) (offset / PAGE)] + offset % PAGE;
        try {
            return memory.readByte(gpa);
        } catch (org.vgpu.virtio.memory.GuestMemoryException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The host copy of a resource, read through the backend. */
    public ByteBuffer hostPixels(int id) {
        GpuState.ResourceInfo r = state.resource(id);
        ByteBuffer b = ByteBuffer.allocate(r.width() * r.height() * 4);
        synchronized (state) {
            state.store(id).readPixels(0, 0, r.width(), r.height(), b, 0, r.width() * 4);
        }
        return b;
    }

    private static void check(int got, int want) {
        if (got != want) {
            throw new AssertionError("expected " + responseName(want) + " got " + responseName(got));
        }
    }
}
