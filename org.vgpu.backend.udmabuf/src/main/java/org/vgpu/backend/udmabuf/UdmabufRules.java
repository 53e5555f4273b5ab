package org.vgpu.backend.udmabuf;

import java.util.ArrayList;
import java.util.List;

import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * What the kernel's udmabuf accepts (drivers/dma-buf/udmabuf.c), checked before asking it: every
 * segment in a shmem memfd sealed against shrinking and not against writing, page-aligned offset
 * and size, at most list_limit items (adjacent pages of one memfd merge into one) and at most
 * size_limit_mb in total. The reason names the first rule a resource breaks.
 */
final class UdmabufRules {
    static final int PAGE = 4096;

    /** One udmabuf_create_item: a memfd range. */
    record Item(int memfd, long offset, long size) {
    }

    /** The items for a backing, or the reason there are none. */
    record Plan(List<Item> items, String declined) {
    }

    private UdmabufRules() {
    }

    static Plan plan(BackingList backing, long neededBytes, int listLimit, long sizeLimitBytes) {
        if (backing == null) {
            return new Plan(null, "needs the guest pages: decided at ATTACH_BACKING");
        }
        GuestMemory memory = backing.memory();
        if (memory == null) {
            return new Plan(null, "guest memory regions unknown");
        }
        List<Item> items = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < backing.entries() && total < neededBytes; i++) {
            long gpa = backing.address(i);
            long len = backing.length(i);
            if (len == 0) {
                continue;
            }
            MemoryRegion region = memory.regionAt(gpa);
            if (region == null || gpa - region.guestBase() + len > region.size()) {
                return new Plan(null, "segment at 0x" + Long.toHexString(gpa) + " is not inside one guest memory region");
            }
            int seals = LinuxNative.fcntl(region.fd(), LinuxNative.F_GET_SEALS, 0);
            if (seals < 0) {
                return new Plan(null, "guest memory at 0x" + Long.toHexString(region.guestBase()) + " is not a memfd");
            }
            if ((seals & LinuxNative.F_SEAL_SHRINK) == 0) {
                return new Plan(null, "guest memfd not sealed against shrinking (F_SEAL_SHRINK)");
            }
            if ((seals & LinuxNative.F_SEAL_WRITE) != 0) {
                return new Plan(null, "guest memfd sealed against writing");
            }
            long offset = region.mmapOffset() + (gpa - region.guestBase());
            if (offset % PAGE != 0 || len % PAGE != 0) {
                return new Plan(null, "segment at 0x" + Long.toHexString(gpa) + " (" + len + " bytes) is not page-aligned");
            }
            Item last = items.isEmpty() ? null : items.get(items.size() - 1);
            if (last != null && last.memfd == region.fd() && last.offset + last.size == offset) {
                items.set(items.size() - 1, new Item(last.memfd, last.offset, last.size + len)); // contiguous: merge
            } else {
                items.add(new Item(region.fd(), offset, len));
            }
            total += len;
        }
        if (total < neededBytes) {
            return new Plan(null, "backing smaller than the resource");
        }
        if (items.size() > listLimit) {
            return new Plan(null, items.size() + " memfd ranges, over udmabuf's list_limit of " + listLimit);
        }
        if (total > sizeLimitBytes) {
            return new Plan(null, total + " bytes, over udmabuf's size_limit of " + sizeLimitBytes);
        }
        return new Plan(items, null);
    }

    static Probe probe(Plan plan) {
        return plan.declined() != null ? Probe.decline(plan.declined())
                : Probe.accept("guest pages shared as a dma-buf (" + plan.items().size() + " memfd range(s))");
    }
}
