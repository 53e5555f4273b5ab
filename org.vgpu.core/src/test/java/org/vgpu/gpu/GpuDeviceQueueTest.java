package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vgpu.gpu.backend.RankedBackendSelector;
import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.gpu.protocol.Protocol;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.runtime.BasicActivation;
import org.vgpu.virtio.runtime.EventFdInterrupt;
import org.vgpu.virtio.runtime.QueueWorker;
import org.vgpu.virtio.sys.EventFd;

/**
 * The GPU device through the real thing: memfd guest RAM, split virtqueues written as a driver
 * writes them, kicks on eventfds served by the queue worker, interrupts on call eventfds.
 */
@Timeout(30)
class GpuDeviceQueueTest {
    static final long BASE = 0x100000;
    static final int QSIZE = 16;
    static final long DESC = BASE, AVAIL = BASE + 0x1000, USED = BASE + 0x2000;
    static final long CURSOR_DESC = BASE + 0x3000, CURSOR_AVAIL = BASE + 0x4000, CURSOR_USED = BASE + 0x5000;
    static final long REQ = BASE + 0x10000, RESP = BASE + 0x11000, PIXELS = BASE + 0x20000;

    GuestMemoryMap mem;
    GpuDevice device;
    EventFd kick, call, cursorKick, cursorCall;
    QueueWorker worker;
    String resetReason;
    int availIdx;
    int nextDesc;

    @BeforeEach
    void activate() throws Exception {
        mem = new GuestMemoryMap();
        mem.addRegion(MemoryRegion.anonymous(BASE, 1 << 20));
        RankedBackendSelector selector = new RankedBackendSelector();
        selector.add(new CopyBackend(), 0);
        device = new GpuDevice(GpuSettings.defaults("gpu-q"), selector);
        device.ackFeatures(device.offeredFeatures());
        SplitQueue control = new SplitQueue(0, QSIZE);
        control.setAddresses(DESC, AVAIL, USED);
        control.setReady(true);
        SplitQueue cursor = new SplitQueue(1, QSIZE);
        cursor.setAddresses(CURSOR_DESC, CURSOR_AVAIL, CURSOR_USED);
        cursor.setReady(true);
        kick = EventFd.create(true);
        call = EventFd.create(true);
        cursorKick = EventFd.create(true);
        cursorCall = EventFd.create(true);
        EventFdInterrupt interrupt = new EventFdInterrupt(2, () -> { });
        interrupt.setCallFd(0, call);
        interrupt.setCallFd(1, cursorCall);
        BasicActivation activation = new BasicActivation(mem, new SplitQueue[] { control, cursor }, interrupt,
                reason -> resetReason = reason, "test");
        device.activate(activation);
        worker = new QueueWorker(device, activation, new EventFd[] { kick, cursorKick });
        worker.start();
    }

    @AfterEach
    void stop() {
        worker.stop();
        device.reset();
        mem.close();
        kick.close();
        call.close();
        cursorKick.close();
        cursorCall.close();
    }

    /** Puts a request (readable) + response (writable, split in two descriptors) chain on the control queue. */
    private void submit(int responseSplit, int responseLength) throws Exception {
        int head = nextDesc;
        int reqLen = requestLength;
        desc(head, REQ + 0x100L * head, reqLen, 1, head + 1);
        desc(head + 1, RESP + 0x100L * head, responseSplit, 2 | 1, head + 2);
        desc(head + 2, RESP + 0x100L * head + responseSplit, responseLength - responseSplit, 2, 0);
        nextDesc += 3;
        mem.writeShort(AVAIL + 4 + 2L * (availIdx % QSIZE), (short) head);
        availIdx++;
        mem.writeShort(AVAIL + 2, (short) availIdx);
    }

    private int requestLength;

    /** Writes a request at the slot of the next chain; fields are le32 after the 24-byte header. */
    private void request(int type, int flags, long fenceId, int... fields) throws Exception {
        long at = REQ + 0x100L * nextDesc;
        mem.writeInt(at, type);
        mem.writeInt(at + 4, flags);
        mem.writeLong(at + 8, fenceId);
        mem.writeInt(at + 16, 0);
        mem.writeInt(at + 20, 0);
        for (int i = 0; i < fields.length; i++) {
            mem.writeInt(at + 24 + 4L * i, fields[i]);
        }
        requestLength = 24 + 4 * fields.length;
    }

    private void desc(int i, long addr, int len, int flags, int next) throws Exception {
        long d = DESC + 16L * i;
        mem.writeLong(d, addr);
        mem.writeInt(d + 8, len);
        mem.writeShort(d + 12, (short) flags);
        mem.writeShort(d + 14, (short) next);
    }

    private void kickAndAwait(int expectedUsed) throws Exception {
        kick.signal();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((mem.readShort(USED + 2) & 0xffff) < expectedUsed) {
            assertTrue(System.nanoTime() < deadline, "device did not complete the requests");
            Thread.sleep(1);
        }
        while (call.consume() == 0) {
            assertTrue(System.nanoTime() < deadline, "no interrupt");
            Thread.sleep(1);
        }
    }

    private int responseType(int head) throws Exception {
        return mem.readInt(RESP + 0x100L * head);
    }

    private int usedLen(int slot) throws Exception {
        return mem.readInt(USED + 4 + 8L * slot + 4);
    }

    @Test
    void twoDimensionalPipelineLandsPixelsAndAnswersEveryCommand() throws Exception {
        // 4x2 B8G8R8X8 resource; backing = 32 bytes at PIXELS with a known pattern
        for (int i = 0; i < 8; i++) {
            mem.writeInt(PIXELS + 4L * i, 0x00102030 + i);
        }
        request(Protocol.CMD_RESOURCE_CREATE_2D, 0, 0, 7, 2, 4, 2);
        submit(10, 24);
        request(Protocol.CMD_RESOURCE_ATTACH_BACKING, 0, 0, 7, 1, (int) PIXELS, (int) (PIXELS >>> 32), 32, 0);
        submit(10, 24);
        request(Protocol.CMD_TRANSFER_TO_HOST_2D, 0, 0, 0, 0, 4, 2, 0, 0, 7, 0);
        submit(10, 24);
        request(Protocol.CMD_SET_SCANOUT, 0, 0, 0, 0, 4, 2, 0, 7);
        submit(10, 24);
        request(Protocol.CMD_RESOURCE_FLUSH, 1, 99, 0, 0, 4, 2, 7, 0); // fenced
        submit(10, 24);
        kickAndAwait(5);
        for (int head = 0; head < 15; head += 3) {
            assertEquals(Protocol.RESP_OK_NODATA, responseType(head), "response of chain " + head);
        }
        assertEquals(99, mem.readLong(RESP + 0x100L * 12 + 8), "fence id echoed across the split response");
        assertEquals(1, mem.readInt(RESP + 0x100L * 12 + 4) & 1, "fence flag echoed");
        assertEquals(24, usedLen(0));
        Frame frame = device.state().capture(0, false);
        assertEquals(4, frame.width());
        assertEquals(2, frame.height());
        for (int i = 0; i < 8; i++) {
            assertEquals(0x102030 + i, frame.argb()[i] & 0xffffff, "pixel " + i);
        }
        assertNull(resetReason);
    }

    @Test
    void aChainPointingOutsideGuestMemoryIsReturnedEmptyAndTheNextIsServed() throws Exception {
        request(Protocol.CMD_GET_DISPLAY_INFO, 0, 0);
        int head = nextDesc;
        desc(head, 0x7000_0000_0000L, 24, 1, head + 1); // request outside guest RAM
        desc(head + 1, RESP, 24, 2, 0);
        nextDesc += 2;
        mem.writeShort(AVAIL + 4, (short) head);
        availIdx++;
        mem.writeShort(AVAIL + 2, (short) availIdx);
        request(Protocol.CMD_GET_DISPLAY_INFO, 0, 0);
        submit(24, 24 + 16 * 24);
        kickAndAwait(2);
        assertEquals(0, usedLen(0), "bad chain completed with 0 bytes");
        assertEquals(Protocol.RESP_OK_DISPLAY_INFO, responseType(2));
        assertEquals(24 + 16 * 24, usedLen(1));
        assertEquals(1280, mem.readInt(RESP + 0x100L * 2 + 24 + 8), "scanout 0 width");
        assertNull(resetReason);
    }
}
