package org.vgpu.backend.hostmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.sys.LinuxNative;

/** The hostmem backend on its own: what it accepts, and the memfd it hands out for mapping. */
class HostmemBackendTest {
    final HostmemBackend backend = new HostmemBackend();

    @Test
    void onlyGuestMappedResourcesAreAccepted() {
        assertFalse(backend.probe(new ResourceSpec(1, 2, 64, 64), null).accepts(), "2D resources keep their guest pages");
        assertTrue(backend.probe(new ResourceSpec(1, 2, 64, 64, true), null).accepts());
        assertFalse(backend.probe(new ResourceSpec(1, 2, 16384, 16385, true), null).accepts(), "1 GiB at most");
        assertThrows(BackendException.class, () -> backend.create(new ResourceSpec(1, 2, 64, 64)));
        assertTrue(backend.capabilities().hostVisibleMapping());
    }

    @Test
    void theMemfdIsSealedAndIsThePixels() throws Exception {
        BackendResource r = backend.create(new ResourceSpec(3, 2, 100, 30, true));
        try {
            int fd = r.mappableFd();
            int seals = LinuxNative.fcntl(fd, LinuxNative.F_GET_SEALS, 0);
            assertEquals(LinuxNative.F_SEAL_SHRINK | LinuxNative.F_SEAL_GROW | LinuxNative.F_SEAL_SEAL, seals,
                    "a guest mapping can never lose its pages to a truncate");
            assertEquals(12288, r.hostBytes(), "12000 bytes of pixels, page-aligned");
            long guest = LinuxNative.mmap(0, 12288, LinuxNative.PROT_READ | LinuxNative.PROT_WRITE, LinuxNative.MAP_SHARED, fd, 0);
            new com.sun.jna.Pointer(guest).setInt((5 * 100 + 7) * 4, 0x00abcdef);
            ByteBuffer px = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            r.readPixels(7, 5, 1, 1, px, 0, 4);
            assertEquals(0x00abcdef, px.getInt(0), "what the guest wrote is what the host reads");
            assertEquals(0, r.transferToHost(null, 0, 0, 100, 30, 0), "nothing to copy");
            LinuxNative.munmap(guest, 12288);
        } finally {
            r.destroy();
        }
    }
}
