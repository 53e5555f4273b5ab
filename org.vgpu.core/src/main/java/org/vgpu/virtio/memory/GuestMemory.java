package org.vgpu.virtio.memory;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The one checked accessor for guest-physical memory. Every method validates the whole range
 * (mapped, no wrap-around, inside regions) before touching a byte; a bad range throws
 * {@link GuestMemoryException} and nothing is read or written. Ranges may span adjacent regions.
 * Multi-byte values are little-endian, as virtio requires.
 */
@ProviderType
public interface GuestMemory {

    /** True if every byte of [gpa, gpa+length) is mapped. length 0 is always valid for a mapped or unmapped gpa. */
    boolean isValid(long gpa, long length);

    /** Copies length bytes at gpa into dst[dstIndex ..], absolute (dst position unchanged). */
    void read(long gpa, ByteBuffer dst, int dstIndex, int length) throws GuestMemoryException;

    /** Copies length bytes of src[srcIndex ..] to gpa, absolute (src position unchanged). */
    void write(long gpa, ByteBuffer src, int srcIndex, int length) throws GuestMemoryException;

    byte readByte(long gpa) throws GuestMemoryException;

    short readShort(long gpa) throws GuestMemoryException;

    int readInt(long gpa) throws GuestMemoryException;

    long readLong(long gpa) throws GuestMemoryException;

    void writeShort(long gpa, short value) throws GuestMemoryException;

    void writeInt(long gpa, int value) throws GuestMemoryException;

    void writeLong(long gpa, long value) throws GuestMemoryException;

    /** The region holding gpa, or null: lets a zero-copy backend find a segment's memfd and offset. */
    default MemoryRegion regionAt(long gpa) {
        return null;
    }

    /**
     * A number that changes whenever a region is added or removed. A host address taken from
     * {@link #regionAt} stays valid while the generation has not changed and a {@link #lease} is
     * held: who keeps such addresses beyond one call (virglrenderer's attached iovecs) compares it
     * before the next use. A memory whose regions never change returns 0.
     */
    default long generation() {
        return 0;
    }

    /**
     * Holds off region removal (munmap) while the caller accesses memory: a worker takes a lease
     * around each batch of requests so a concurrent unmap can never fault the host.
     */
    Lease lease();

    /** A held read-side of the region lock. Not reentrant-sensitive; close exactly once. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }
}
