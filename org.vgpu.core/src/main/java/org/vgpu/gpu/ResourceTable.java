package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.MEM_ENTRY_SIZE;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The guest's resources by id and the host memory they are charged against the device's quota.
 * Every allocation a guest can cause is charged here before it is made.
 */
final class ResourceTable {
    /** Host bytes charged per resource besides its pixels, so tiny resources cannot be created without bound. */
    static final long RESOURCE_OVERHEAD = 256;
    /** Host bytes charged per backing entry (the backend keeps address, length, offset). */
    static final long BACKING_ENTRY_COST = MEM_ENTRY_SIZE;

    private final IntMap<Resource> resources = new IntMap<>();
    private final long quotaBytes;
    private long usedBytes;

    ResourceTable(long quotaBytes) {
        this.quotaBytes = quotaBytes;
    }

    Resource get(int id) {
        return resources.get(id);
    }

    /** Whether a new resource may not take this id: 0, or already in use. */
    boolean idTaken(int id) {
        return id == 0 || resources.get(id) != null;
    }

    /** Whether charge more bytes stay within the quota. */
    boolean fits(long charge) {
        return charge <= quotaBytes - usedBytes;
    }

    void charge(long bytes) {
        usedBytes += bytes;
    }

    /** A new resource, already charged, known to the guest from now on. */
    void put(Resource r) {
        resources.put(r.spec.resourceId(), r);
    }

    /** Removes the resource and refunds what it was charged; null if there is none. */
    Resource remove(int id) {
        Resource r = resources.remove(id);
        if (r != null) {
            usedBytes -= r.storeCharge + r.backingCharge;
        }
        return r;
    }

    Collection<Resource> values() {
        return resources.values();
    }

    /** A copy of the resources, for loops that may move them between backends. */
    List<Resource> snapshot() {
        return new ArrayList<>(resources.values());
    }

    void clear() {
        resources.clear();
        usedBytes = 0;
    }

    long usedBytes() {
        return usedBytes;
    }

    long quotaBytes() {
        return quotaBytes;
    }
}
