package org.vgpu.virtio.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vgpu.virtio.memory.MemoryRegion;

/** Good paths of the split queue: chains, reader/writer, indirect tables, wraparound, notifications. */
class SplitQueueTest {
    static final int NEXT = SplitQueue.F_NEXT;
    static final int WRITE = SplitQueue.F_WRITE;
    static final int INDIRECT = SplitQueue.F_INDIRECT;
    static final long BUF = TestRing.BUFFERS;

    private TestRing ring;

    @AfterEach
    void close() {
        if (ring != null) {
            ring.close();
        }
    }

    @Test
    void simpleChainIsReadWrittenAndCompleted() throws Exception {
        ring = new TestRing(8);
        ring.memory.write(BUF, ByteBuffer.wrap("request!".getBytes(StandardCharsets.US_ASCII)), 0, 8);
        ring.desc(3, BUF, 8, NEXT, 5).desc(5, BUF + 0x100, 16, WRITE, 0).publish(3);

        DescriptorChain chain = ring.queue.pop(ring.memory);
        assertNotNull(chain);
        assertEquals(3, chain.head());
        assertEquals(8, chain.readableLength());
        assertEquals(16, chain.writableLength());
        ByteBuffer in = ByteBuffer.allocate(8);
        assertEquals(8, chain.reader().read(in, 0, 100));
        assertEquals("request!", new String(in.array(), StandardCharsets.US_ASCII));
        assertEquals(0, chain.reader().remaining());
        assertEquals(5, chain.writer().write(ByteBuffer.wrap("reply".getBytes(StandardCharsets.US_ASCII)), 0, 5));
        ring.queue.complete(ring.memory, chain, chain.writer().written());

        assertEquals(1, ring.usedIdx());
        assertEquals(3, ring.usedId(0));
        assertEquals(5, ring.usedLen(0));
        assertEquals('r', ring.memory.readByte(BUF + 0x100));
        assertNull(ring.queue.pop(ring.memory));
        assertEquals(1, ring.queue.stats().chains());
        assertEquals(0, ring.queue.stats().rejectedChains());
    }

    @Test
    void readerAndWriterStreamAcrossManyDescriptors() throws Exception {
        ring = new TestRing(16);
        byte[] request = new byte[10];
        for (int i = 0; i < request.length; i++) {
            request[i] = (byte) (i + 1);
        }
        // readable 3 + 0 + 7 bytes scattered, writable 2 + 5 + 1 + 8 bytes scattered
        ring.memory.write(BUF, ByteBuffer.wrap(request), 0, 3);
        ring.memory.write(BUF + 0x200, ByteBuffer.wrap(request), 3, 7);
        ring.desc(0, BUF, 3, NEXT, 1).desc(1, BUF + 0x100, 0, NEXT, 2).desc(2, BUF + 0x200, 7, NEXT, 3)
                .desc(3, BUF + 0x300, 2, WRITE | NEXT, 4).desc(4, BUF + 0x400, 5, WRITE | NEXT, 5)
                .desc(5, BUF + 0x500, 1, WRITE | NEXT, 6).desc(6, BUF + 0x600, 8, WRITE, 0).publish(0);

        DescriptorChain chain = ring.queue.pop(ring.memory);
        ChainReader reader = chain.reader();
        assertEquals(10, reader.remaining());
        ByteBuffer in = ByteBuffer.allocate(10);
        assertEquals(2, reader.read(in, 0, 2));
        reader.skip(2); // crosses the first boundary and the empty descriptor
        assertEquals(6, reader.read(in, 4, 64));
        assertEquals(0, reader.read(in, 0, 1));
        byte[] expected = request.clone();
        expected[2] = 0;
        expected[3] = 0;
        assertArrayEquals(expected, in.array());

        ChainWriter writer = chain.writer();
        assertEquals(16, writer.remaining());
        byte[] reply = new byte[20];
        for (int i = 0; i < reply.length; i++) {
            reply[i] = (byte) (100 + i);
        }
        assertEquals(6, writer.write(ByteBuffer.wrap(reply), 0, 6));
        assertEquals(10, writer.write(ByteBuffer.wrap(reply), 6, 14)); // capped at what is left
        assertEquals(16, writer.written());
        assertEquals(0, writer.remaining());
        assertEquals(100, ring.memory.readByte(BUF + 0x300));
        assertEquals(101, ring.memory.readByte(BUF + 0x301));
        assertEquals(102, ring.memory.readByte(BUF + 0x400));
        assertEquals(106, ring.memory.readByte(BUF + 0x404));
        assertEquals(107, ring.memory.readByte(BUF + 0x500));
        assertEquals(108, ring.memory.readByte(BUF + 0x600));
        assertEquals(115, ring.memory.readByte(BUF + 0x607));
        ring.queue.complete(ring.memory, chain, writer.written());
        assertEquals(16, ring.usedLen(0));
    }

    @Test
    void indirectChain() throws Exception {
        ring = new TestRing(4);
        long table = BUF + 0x1000;
        ring.memory.writeInt(BUF, 0xC0FFEE);
        ring.descAt(table, 0, BUF, 4, NEXT, 2).descAt(table, 2, BUF + 0x100, 8, WRITE, 0);
        ring.desc(1, table, 3 * 16, INDIRECT, 0).publish(1);

        DescriptorChain chain = ring.queue.pop(ring.memory);
        assertEquals(1, chain.head());
        ByteBuffer in = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(4, chain.reader().read(in, 0, 4));
        assertEquals(0xC0FFEE, in.getInt(0));
        assertEquals(8, chain.writer().remaining());
        ring.queue.complete(ring.memory, chain, 0);
        assertEquals(1, ring.usedId(0));
    }

    @Test
    void indexesWrapAround16Bits() throws Exception {
        ring = new TestRing(4);
        ring.startAt(65530);
        ring.desc(0, BUF, 4, WRITE, 0);
        for (int i = 0; i < 10; i++) {
            ring.publish(0);
            DescriptorChain chain = ring.queue.pop(ring.memory);
            assertNotNull(chain, "chain " + i);
            ring.queue.complete(ring.memory, chain, i % 5);
            assertEquals((65531 + i) & 0xffff, ring.usedIdx());
            assertEquals(i % 5, ring.usedLen(65530 + i));
            assertNull(ring.queue.pop(ring.memory));
        }
        assertEquals(4, ring.queue.nextAvail());
        assertEquals(4, ring.queue.nextUsed());
    }

    @Test
    void fullRingAcrossTheWrapIsDrained() throws Exception {
        ring = new TestRing(4);
        ring.startAt(65534);
        for (int i = 0; i < 4; i++) {
            ring.desc(i, BUF + 0x10 * i, 4, WRITE, 0).publish(i);
        }
        for (int i = 0; i < 4; i++) {
            DescriptorChain chain = ring.queue.pop(ring.memory);
            assertEquals(i, chain.head());
            ring.queue.complete(ring.memory, chain, 4);
        }
        assertNull(ring.queue.pop(ring.memory));
        assertEquals(2, ring.usedIdx());
    }

    @Test
    void eventIdxSuppressesNotificationsUntilUsedEvent() throws Exception {
        ring = new TestRing(8);
        ring.queue.setEventIdx(true);
        ring.desc(0, BUF, 4, WRITE, 0);
        assertFalse(ring.queue.shouldNotify(ring.memory), "nothing completed yet");

        ring.setUsedEvent(0); // driver: interrupt me when used idx passes 0
        completeOne();
        assertTrue(ring.queue.shouldNotify(ring.memory));

        ring.setUsedEvent(3); // driver: not before entry 3 is used
        completeOne(); // used idx 2
        assertFalse(ring.queue.shouldNotify(ring.memory));
        completeOne(); // used idx 3
        assertFalse(ring.queue.shouldNotify(ring.memory));
        completeOne(); // used idx 4: passes 3
        assertTrue(ring.queue.shouldNotify(ring.memory));
        assertEquals(2, ring.queue.stats().notifications());
        assertEquals(4, ring.availEvent(), "device asks for a kick at the next avail index");
    }

    @Test
    void eventIdxCatchesUpOnASkippedUsedEvent() throws Exception {
        ring = new TestRing(8);
        ring.queue.setEventIdx(true);
        ring.desc(0, BUF, 4, WRITE, 0);
        ring.setUsedEvent(1);
        completeOne();
        completeOne();
        completeOne(); // used idx 1 -> 3 in one batch crosses used_event 1
        assertTrue(ring.queue.shouldNotify(ring.memory));
    }

    @Test
    void noInterruptFlagSuppressesNotifications() throws Exception {
        ring = new TestRing(8);
        ring.desc(0, BUF, 4, WRITE, 0);
        ring.setAvailFlags(SplitQueue.AVAIL_F_NO_INTERRUPT);
        completeOne();
        assertFalse(ring.queue.shouldNotify(ring.memory));
        ring.setAvailFlags(0);
        completeOne();
        assertTrue(ring.queue.shouldNotify(ring.memory));
        assertFalse(ring.queue.shouldNotify(ring.memory), "nothing new since the last notification");
    }

    private void completeOne() throws Exception {
        ring.publish(0);
        DescriptorChain chain = ring.queue.pop(ring.memory);
        ring.queue.complete(ring.memory, chain, 4);
        assertNull(ring.queue.pop(ring.memory));
    }

    @Test
    void popReusesTheChainObject() throws Exception {
        ring = new TestRing(8);
        ring.desc(0, BUF, 4, 0, 0).desc(1, BUF, 4, 0, 0).publish(0).publish(1);
        DescriptorChain first = ring.queue.pop(ring.memory);
        ring.queue.complete(ring.memory, first, 0);
        assertSame(first, ring.queue.pop(ring.memory));
        assertEquals(1, first.head());
    }

    @Test
    void completeRejectsMoreBytesThanWritable() throws Exception {
        ring = new TestRing(8);
        ring.desc(0, BUF, 4, WRITE, 0).publish(0);
        DescriptorChain chain = ring.queue.pop(ring.memory);
        assertThrows(IllegalArgumentException.class, () -> ring.queue.complete(ring.memory, chain, 5));
        assertThrows(IllegalArgumentException.class, () -> ring.queue.complete(ring.memory, chain, -1));
    }

    @Test
    void resetReturnsToInitialStateAndKeepsStats() throws Exception {
        ring = new TestRing(16, 8);
        ring.queue.setEventIdx(true);
        completeOneAfterDesc();
        ring.queue.reset();
        assertFalse(ring.queue.isReady());
        assertEquals(16, ring.queue.size());
        assertEquals(0, ring.queue.nextAvail());
        assertEquals(0, ring.queue.nextUsed());
        assertEquals(0, ring.queue.descTable());
        assertNull(ring.queue.pop(ring.memory), "not ready: nothing popped");
        assertEquals(1, ring.queue.stats().chains());
    }

    private void completeOneAfterDesc() throws Exception {
        ring.desc(0, BUF, 4, WRITE, 0);
        completeOne();
    }

    @Test
    void notReadyQueuePopsNothing() throws Exception {
        ring = new TestRing(8);
        ring.desc(0, BUF, 4, WRITE, 0).publish(0);
        ring.queue.setReady(false);
        assertNull(ring.queue.pop(ring.memory));
    }

    @Test
    void setSizeAcceptsOnlyPowersOfTwoUpToMax() {
        SplitQueue q = new SplitQueue(0, 256);
        assertThrows(IllegalArgumentException.class, () -> q.setSize(0));
        assertThrows(IllegalArgumentException.class, () -> q.setSize(3));
        assertThrows(IllegalArgumentException.class, () -> q.setSize(100));
        assertThrows(IllegalArgumentException.class, () -> q.setSize(512));
        assertThrows(IllegalArgumentException.class, () -> q.setSize(-256));
        q.setSize(1);
        assertEquals(1, q.size());
        q.setSize(256);
        assertEquals(256, q.size());
        assertThrows(IllegalArgumentException.class, () -> new SplitQueue(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new SplitQueue(0, 65536));
    }

    @Test
    void validateChecksAlignmentAndPlacement() throws Exception {
        ring = new TestRing(8);
        SplitQueue q = new SplitQueue(1, 8);
        q.setAddresses(TestRing.DESC + 8, TestRing.AVAIL, TestRing.USED);
        assertThrows(QueueException.class, () -> q.validate(ring.memory));
        q.setAddresses(TestRing.DESC, TestRing.AVAIL + 1, TestRing.USED);
        assertThrows(QueueException.class, () -> q.validate(ring.memory));
        q.setAddresses(TestRing.DESC, TestRing.AVAIL, TestRing.USED + 2);
        assertThrows(QueueException.class, () -> q.validate(ring.memory));
        q.setAddresses(TestRing.DESC, TestRing.AVAIL, TestRing.MEMORY_SIZE - 16);
        assertThrows(QueueException.class, () -> q.validate(ring.memory));
        q.setAddresses(TestRing.DESC, TestRing.AVAIL, TestRing.USED);
        q.validate(ring.memory);
    }

    @Test
    void ringsOutsideMemoryFaultAsQueueException() throws Exception {
        ring = new TestRing(8);
        ring.queue.setAddresses(TestRing.DESC, TestRing.MEMORY_SIZE + 0x1000, TestRing.USED);
        assertThrows(QueueException.class, () -> ring.queue.pop(ring.memory));
    }

    @Test
    void regionOfRingsMayBeAnywhere() throws Exception {
        ring = new TestRing(8);
        ring.memory.addRegion(MemoryRegion.anonymous(0x4000_0000L, 0x10000));
        SplitQueue q = new SplitQueue(2, 8);
        q.setAddresses(0x4000_0000L, 0x4000_1000L, 0x4000_2000L);
        q.validate(ring.memory);
    }
}
