package org.vgpu.virtio.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * A malicious driver. Each malformed chain must come back on the used ring with 0 bytes, be
 * counted as rejected, and leave the next (good) chain processable; ring corruption throws.
 */
class HostileRingTest {
    static final int NEXT = SplitQueue.F_NEXT;
    static final int WRITE = SplitQueue.F_WRITE;
    static final int INDIRECT = SplitQueue.F_INDIRECT;
    static final long BUF = TestRing.BUFFERS;
    static final long TABLE = BUF + 0x1000;
    static final long UNMAPPED = 0x7000_0000L;
    static final int SIZE = 8;
    static final int GOOD = SIZE - 1; // head of the well-formed chain published after the bad one

    private TestRing ring;

    @AfterEach
    void close() {
        if (ring != null) {
            ring.close();
        }
    }

    private TestRing ring() throws Exception {
        ring = new TestRing(SIZE);
        ring.desc(GOOD, BUF + 0x800, 16, WRITE, 0);
        return ring;
    }

    /** Publishes badHead then the good chain; the queue must skip the first and yield the second. */
    private void assertRejectedThenNextProcessed(int badHead) throws Exception {
        ring.publish(badHead).publish(GOOD);
        DescriptorChain chain = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> ring.queue.pop(ring.memory));
        assertNotNull(chain, "the good chain after the bad one");
        assertEquals(GOOD, chain.head());
        assertEquals(1, ring.queue.stats().rejectedChains());
        assertEquals(1, ring.usedIdx(), "bad chain returned before the good one is completed");
        assertEquals(badHead, ring.usedId(0));
        assertEquals(0, ring.usedLen(0));
        ring.queue.complete(ring.memory, chain, 16);
        assertEquals(GOOD, ring.usedId(1));
        assertEquals(16, ring.usedLen(1));
        assertNull(ring.queue.pop(ring.memory));
        assertEquals(1, ring.queue.stats().chains());
    }

    @Test
    void descriptorLoop() throws Exception {
        ring().desc(0, BUF, 4, NEXT, 1).desc(1, BUF, 4, NEXT, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void descriptorLoopInsideIndirectTable() throws Exception {
        ring().desc(0, TABLE, 2 * 16, INDIRECT, 0);
        ring.descAt(TABLE, 0, BUF, 4, NEXT, 1).descAt(TABLE, 1, BUF, 4, NEXT, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void nextIndexOutOfRange() throws Exception {
        ring().desc(0, BUF, 4, NEXT, SIZE);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void nextIndexOutOfIndirectTable() throws Exception {
        ring().desc(0, TABLE, 2 * 16, INDIRECT, 0);
        ring.descAt(TABLE, 0, BUF, 4, NEXT, 2).descAt(TABLE, 2, BUF, 4, 0, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void chainLongerThanQueue() throws Exception {
        // SIZE + 1 distinct descriptors, no loop: only possible through an indirect table
        ring().desc(0, TABLE, (SIZE + 1) * 16, INDIRECT, 0);
        for (int i = 0; i <= SIZE; i++) {
            ring.descAt(TABLE, i, BUF, 4, i < SIZE ? NEXT : 0, i + 1);
        }
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void chainOfExactlyQueueSizeIsAccepted() throws Exception {
        ring().desc(0, TABLE, SIZE * 16, INDIRECT, 0);
        for (int i = 0; i < SIZE; i++) {
            ring.descAt(TABLE, i, BUF, 4, i < SIZE - 1 ? NEXT : 0, i + 1);
        }
        ring.publish(0);
        assertEquals(SIZE * 4, ring.queue.pop(ring.memory).readableLength());
    }

    @Test
    void nestedIndirect() throws Exception {
        long inner = TABLE + 0x100;
        ring().desc(0, TABLE, 16, INDIRECT, 0);
        ring.descAt(TABLE, 0, inner, 16, INDIRECT, 0).descAt(inner, 0, BUF, 4, 0, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void indirectTogetherWithNext() throws Exception {
        ring().desc(0, TABLE, 16, INDIRECT | NEXT, 1).desc(1, BUF, 4, 0, 0);
        ring.descAt(TABLE, 0, BUF, 4, 0, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void indirectTableOutsideMemory() throws Exception {
        ring().desc(0, UNMAPPED, 32, INDIRECT, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void indirectTableRunningOffTheEndOfMemory() throws Exception {
        ring().desc(0, TestRing.MEMORY_SIZE - 16, 32, INDIRECT, 0);
        ring.descAt(TestRing.MEMORY_SIZE - 16, 0, BUF, 4, 0, 0);
        assertRejectedThenNextProcessed(0);
    }

    /** Ragged (not a multiple of 16), empty, or more than 32768 entries; the memory behind is mapped. */
    @ParameterizedTest
    @ValueSource(longs = {24, 0, 8, SplitQueue.MAX_INDIRECT_BYTES + 16})
    void indirectTableWithBadLength(long length) throws Exception {
        ring().desc(0, 0, length, INDIRECT, 0); // table at gpa 0: mapped, zero-filled (a valid empty desc)
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void bufferOutsideMemory() throws Exception {
        ring().desc(0, BUF, 4, NEXT, 1).desc(1, UNMAPPED, 16, WRITE, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void bufferCrossingTheEndOfMemory() throws Exception {
        ring().desc(0, TestRing.MEMORY_SIZE - 8, 16, 0, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void bufferWrappingAroundTheAddressSpace() throws Exception {
        ring().desc(0, -8L, 16, 0, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void readableAfterWritable() throws Exception {
        ring().desc(0, BUF, 4, WRITE | NEXT, 1).desc(1, BUF + 0x100, 4, 0, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void lengthSumOverflowingInt() throws Exception {
        // two 1 GiB buffers, each in (sparse) guest memory; together 2^31 > Integer.MAX_VALUE
        ring();
        long big = 0x1_0000_0000L;
        ring.memory.addRegion(MemoryRegion.anonymous(big, 2L << 30));
        ring.desc(0, big, 1L << 30, WRITE | NEXT, 1).desc(1, big + (1L << 30), 1L << 30, WRITE, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void lengthOf4GiBMinus1InOneDescriptor() throws Exception {
        ring().desc(0, BUF, 0xFFFF_FFFFL, 0, 0);
        assertRejectedThenNextProcessed(0);
    }

    @Test
    void availIdxAheadByMoreThanSize() throws Exception {
        ring();
        ring.setAvailIdx(SIZE + 1);
        assertThrows(QueueException.class, () -> ring.queue.pop(ring.memory));
    }

    @Test
    void availIdxBehindTheDevice() throws Exception {
        ring();
        ring.startAt(100);
        ring.setAvailIdx(99); // 65535 ahead, i.e. moved backwards
        assertThrows(QueueException.class, () -> ring.queue.pop(ring.memory));
    }

    @Test
    void headOutOfRange() throws Exception {
        ring().publish(SIZE);
        assertThrows(QueueException.class, () -> ring.queue.pop(ring.memory));
    }

    @Test
    void headOutOfRangeForSmallerNegotiatedSize() throws Exception {
        ring = new TestRing(16, 4);
        ring.desc(4, BUF, 4, 0, 0).publish(4);
        assertThrows(QueueException.class, () -> ring.queue.pop(ring.memory));
    }

    @Test
    void descriptorTableOutsideMemoryIsRingCorruption() throws Exception {
        ring().publish(GOOD);
        ring.queue.setAddresses(TestRing.MEMORY_SIZE - 16, TestRing.AVAIL, TestRing.USED);
        assertThrows(QueueException.class, () -> ring.queue.pop(ring.memory));
    }

    @Test
    void everyChainRejectedStillTerminates() throws Exception {
        ring = new TestRing(SIZE);
        for (int i = 0; i < SIZE; i++) {
            ring.desc(i, BUF, 4, NEXT, i).publish(i); // all self loops
        }
        assertNull(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> ring.queue.pop(ring.memory)));
        assertEquals(SIZE, ring.queue.stats().rejectedChains());
        assertEquals(SIZE, ring.usedIdx());
    }
}
