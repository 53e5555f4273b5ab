package org.vgpu.virtio.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuestMemoryMapTest {

    private static final long BASE = 0x10000;
    private static final long SIZE = 0x10000;

    private final GuestMemoryMap memory = new GuestMemoryMap();

    @AfterEach
    void close() {
        memory.close();
    }

    private MemoryRegion add(long base, long size) throws Exception {
        MemoryRegion r = MemoryRegion.anonymous(base, size);
        memory.addRegion(r);
        return r;
    }

    @Test
    void scalarsAreLittleEndianAndRoundTrip() throws Exception {
        MemoryRegion r = add(BASE, SIZE);
        memory.writeLong(BASE + 8, 0x0102030405060708L);
        assertEquals(0x08, memory.readByte(BASE + 8));
        assertEquals(0x0708, memory.readShort(BASE + 8));
        assertEquals(0x05060708, memory.readInt(BASE + 8));
        assertEquals(0x0102030405060708L, memory.readLong(BASE + 8));
        memory.writeShort(BASE, (short) 0xBEEF);
        memory.writeInt(BASE + 2, 0xDEADC0DE);
        assertEquals(0xDEADC0DEBEEFL, memory.readLong(BASE) & 0xFFFFFFFFFFFFL);
        assertEquals(r.hostAddress(), r.vmmUserAddr(), "anonymous regions are the VMM's own memory");
    }

    @Test
    void unmappedAccessThrows() throws Exception {
        add(BASE, SIZE);
        assertThrows(GuestMemoryException.class, () -> memory.readInt(BASE - 4));
        assertThrows(GuestMemoryException.class, () -> memory.readByte(0));
        assertThrows(GuestMemoryException.class, () -> memory.read(BASE + SIZE, ByteBuffer.allocate(4), 0, 4));
        assertFalse(memory.isValid(BASE - 1, 1));
        assertTrue(memory.isValid(0x999, 0), "empty ranges are valid anywhere");
    }

    @Test
    void wrapAroundIsRejected() throws Exception {
        add(0xFFFF_FFFF_FFFF_0000L, 0x10000); // the very top of the 64-bit space
        assertEquals(0, memory.readLong(0xFFFF_FFFF_FFFF_FFF8L));
        assertThrows(GuestMemoryException.class, () -> memory.readLong(0xFFFF_FFFF_FFFF_FFFCL));
        assertFalse(memory.isValid(0xFFFF_FFFF_FFFF_FFF0L, 0x20));
        assertFalse(memory.isValid(Long.MAX_VALUE, Long.MAX_VALUE));
        assertThrows(GuestMemoryException.class,
                () -> memory.write(0xFFFF_FFFF_FFFF_FFF0L, ByteBuffer.allocate(32), 0, 32));
    }

    @Test
    void negativeLengthIsRejected() throws Exception {
        add(BASE, SIZE);
        assertFalse(memory.isValid(BASE, -1));
        assertThrows(GuestMemoryException.class, () -> memory.read(BASE, ByteBuffer.allocate(4), 0, -1));
        assertThrows(GuestMemoryException.class, () -> memory.userToGuest(0, -1));
    }

    @Test
    void crossingOutOfARegionWritesNothing() throws Exception {
        add(BASE, SIZE);
        ByteBuffer src = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThrows(GuestMemoryException.class, () -> memory.write(BASE + SIZE - 4, src, 0, 8));
        assertThrows(GuestMemoryException.class, () -> memory.writeLong(BASE + SIZE - 4, -1L));
        assertEquals(0, memory.readInt(BASE + SIZE - 4), "nothing written before the check failed");
    }

    @Test
    void rangesSpanTwoAdjacentRegions() throws Exception {
        add(BASE, SIZE);
        add(BASE + SIZE, SIZE);
        byte[] bytes = new byte[64];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        memory.write(BASE + SIZE - 32, ByteBuffer.wrap(bytes), 0, 64);
        ByteBuffer back = ByteBuffer.allocate(64);
        memory.read(BASE + SIZE - 32, back, 0, 64);
        assertArrayEquals(bytes, back.array());
        memory.writeLong(BASE + SIZE - 3, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, memory.readLong(BASE + SIZE - 3));
        assertEquals(0x55667788, memory.readInt(BASE + SIZE - 3));
        assertTrue(memory.isValid(BASE, 2 * SIZE));
        assertFalse(memory.isValid(BASE, 2 * SIZE + 1));
    }

    @Test
    void overlappingRegionsAreRefused() throws Exception {
        add(BASE, SIZE);
        MemoryRegion overlapping = MemoryRegion.anonymous(BASE + SIZE - 0x1000, SIZE);
        try {
            assertThrows(IllegalArgumentException.class, () -> memory.addRegion(overlapping));
        } finally {
            overlapping.close();
        }
    }

    @Test
    void userToGuestTranslatesInsideOneRegion() throws Exception {
        MemoryRegion r = add(BASE, SIZE);
        assertEquals(BASE + 0x100, memory.userToGuest(r.vmmUserAddr() + 0x100, 0x40));
        assertEquals(BASE + SIZE - 1, memory.userToGuest(r.vmmUserAddr() + SIZE - 1, 1));
        assertThrows(GuestMemoryException.class, () -> memory.userToGuest(r.vmmUserAddr() + SIZE - 8, 16));
        assertThrows(GuestMemoryException.class, () -> memory.userToGuest(r.vmmUserAddr() - 1, 1));
    }

    @Test
    void regionRemovalWaitsForTheLease() throws Exception {
        add(BASE, SIZE);
        CountDownLatch removed = new CountDownLatch(1);
        Thread remover;
        try (GuestMemory.Lease lease = memory.lease()) {
            remover = new Thread(() -> {
                memory.removeRegion(BASE);
                removed.countDown();
            });
            remover.start();
            assertFalse(removed.await(200, TimeUnit.MILLISECONDS), "removed while a lease was held");
            assertEquals(0, memory.readInt(BASE), "still mapped under the lease");
        }
        assertTrue(removed.await(5, TimeUnit.SECONDS));
        remover.join();
        assertThrows(GuestMemoryException.class, () -> memory.readInt(BASE));
        assertTrue(memory.regions().isEmpty());
    }

    @Test
    void sparseRegionAboveTwoGiB() throws Exception {
        long size = 3L << 30;
        add(0x1_0000_0000L, size);
        long far = 0x1_0000_0000L + (5L << 29) + 12; // 2.5 GiB in
        memory.writeLong(far, 42);
        assertEquals(42, memory.readLong(far));
        long boundary = 0x1_0000_0000L + (2L << 30) - 4; // straddles the 1 GiB window edge
        memory.writeLong(boundary, 0xA1B2C3D4E5F60718L);
        assertEquals(0xA1B2C3D4E5F60718L, memory.readLong(boundary));
        byte[] big = new byte[8192];
        big[0] = 7;
        big[8191] = 9;
        memory.write(boundary - 4000, ByteBuffer.wrap(big), 0, big.length);
        ByteBuffer back = ByteBuffer.allocateDirect(8192);
        memory.read(boundary - 4000, back, 0, 8192);
        assertEquals(7, back.get(0));
        assertEquals(9, back.get(8191));
        assertEquals(0, memory.readLong(boundary), "bulk write across the window edge overwrote it");
        assertThrows(GuestMemoryException.class, () -> memory.readByte(0x1_0000_0000L + size));
    }

    @Test
    void leaseIsCheapAndReusable() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 1000; i++) {
                try (GuestMemory.Lease lease = memory.lease()) {
                    // nothing
                }
            }
        });
    }
}
