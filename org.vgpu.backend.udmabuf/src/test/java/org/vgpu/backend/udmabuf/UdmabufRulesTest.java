package org.vgpu.backend.udmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;
import org.vgpu.virtio.sys.LinuxNative;

/** udmabuf's kernel rules, checked on real memfds (sealed, unsealed) and a plain file. */
class UdmabufRulesTest {
    static final long SEALED = 0x100000, UNSEALED = 0x10000000, PLAIN = 0x20000000;
    static final int PAGE = 4096;
    final GuestMemoryMap memory = new GuestMemoryMap();

    UdmabufRulesTest() throws Exception {
        memory.addRegion(MemoryRegion.anonymous(SEALED, 1 << 20)); // memfd sealed with F_SEAL_SHRINK
        int unsealed = LinuxNative.check("memfd_create", LinuxNative.memfd_create("unsealed", LinuxNative.MFD_CLOEXEC));
        LinuxNative.check("ftruncate", LinuxNative.ftruncate(unsealed, 1 << 20));
        memory.addRegion(MemoryRegion.map(unsealed, 0, UNSEALED, 1 << 20, 0));
        Path file = Files.createTempFile("vgpu-plain", ".ram");
        Files.write(file, new byte[1 << 16]);
        int plain = LinuxNative.open(file.toString(), LinuxNative.O_RDWR | LinuxNative.O_CLOEXEC);
        memory.addRegion(MemoryRegion.map(plain, 0, PLAIN, 1 << 16, 0));
        Files.delete(file);
    }

    @AfterEach
    void close() {
        memory.close();
    }

    BackingList pages(long base, int... pageIndexes) {
        long[] a = new long[pageIndexes.length];
        int[] l = new int[pageIndexes.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = base + (long) pageIndexes[i] * PAGE;
            l[i] = PAGE;
        }
        return new BackingList(a, l, memory);
    }

    static UdmabufRules.Plan plan(BackingList b, long bytes) {
        return UdmabufRules.plan(b, bytes, 1024, 64L << 20);
    }

    @Test
    void sealedMemfdPagesAreAcceptedAndContiguousOnesMerged() {
        UdmabufRules.Plan p = plan(pages(SEALED, 0, 1, 2, 3, 10, 12), 6 * PAGE);
        assertNull(p.declined());
        assertEquals(3, p.items().size(), "0-3 merge; 10 and 12 are separate");
        assertEquals(4 * PAGE, p.items().get(0).size());
        assertEquals(10L * PAGE, p.items().get(1).offset(), "offset inside the memfd");
        Probe probe = UdmabufRules.probe(p);
        assertTrue(probe.accepts());
        assertTrue(probe.reason().contains("3 memfd range"), probe.reason());
    }

    @Test
    void eachKernelRuleDeclinesWithItsReason() {
        assertTrue(plan(null, PAGE).declined().contains("ATTACH_BACKING"));
        assertTrue(plan(pages(UNSEALED, 0, 1), 2 * PAGE).declined().contains("not sealed against shrinking"));
        assertTrue(plan(pages(PLAIN, 0), PAGE).declined().contains("not a memfd"));
        BackingList unaligned = new BackingList(new long[] { SEALED + 100 }, new int[] { PAGE }, memory);
        assertTrue(plan(unaligned, PAGE).declined().contains("not page-aligned"));
        BackingList outside = new BackingList(new long[] { 0x7000_0000L }, new int[] { PAGE }, memory);
        assertTrue(plan(outside, PAGE).declined().contains("not inside one guest memory region"));
        BackingList crossing = new BackingList(new long[] { SEALED + (1 << 20) - PAGE }, new int[] { 2 * PAGE }, memory);
        assertTrue(plan(crossing, 2 * PAGE).declined().contains("not inside one guest memory region"));
        assertTrue(UdmabufRules.plan(pages(SEALED, 0, 2, 4), 3 * PAGE, 2, 64L << 20).declined().contains("list_limit of 2"));
        assertTrue(UdmabufRules.plan(pages(SEALED, 0, 1), 2 * PAGE, 1024, PAGE).declined().contains("size_limit"));
        assertTrue(plan(pages(SEALED, 0), 2 * PAGE).declined().contains("smaller than the resource"));
        assertTrue(plan(new BackingList(new long[] { SEALED }, new int[] { PAGE }), PAGE).declined().contains("regions unknown"));
    }

    @Test
    void withoutTheDeviceTheBackendDeclinesAndCreatesNothing() {
        Assumptions.assumeFalse(Files.exists(Udmabuf.DEVICE), "this kernel has /dev/udmabuf");
        UdmabufBackend backend = new UdmabufBackend();
        Probe p = backend.probe(new ResourceSpec(1, 2, 64, 64), pages(SEALED, 0, 1, 2, 3));
        assertFalse(p.accepts());
        assertEquals("no /dev/udmabuf", p.reason());
        assertEquals(false, backend.capabilities().maxResourceBytes() > 0);
    }
}
