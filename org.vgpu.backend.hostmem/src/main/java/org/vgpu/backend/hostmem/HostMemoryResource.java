package org.vgpu.backend.hostmem;

import java.nio.ByteBuffer;

import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.MappedFdResource;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

/**
 * One blob's pixels in a memfd, sealed against shrinking and growing (so a mapping can never
 * fault on truncation, and udmabuf could share it), mapped here for reading and handed to the
 * transport for mapping into the guest.
 */
final class HostMemoryResource extends MappedFdResource {

    private HostMemoryResource(ResourceSpec spec, int fd) throws BackendException {
        super(spec, fd, spec.sizeBytes(), true);
    }

    static HostMemoryResource create(ResourceSpec spec) throws NativeException, BackendException {
        long length = (spec.sizeBytes() + 4095) & -4096L;
        int fd = LinuxNative.check("memfd_create", LinuxNative.memfd_create("vgpu-hostmem-" + Integer.toUnsignedString(spec.resourceId()),
                LinuxNative.MFD_CLOEXEC | LinuxNative.MFD_ALLOW_SEALING));
        try {
            LinuxNative.check("ftruncate", LinuxNative.ftruncate(fd, length));
            LinuxNative.check("F_ADD_SEALS", LinuxNative.fcntl(fd, LinuxNative.F_ADD_SEALS,
                    LinuxNative.F_SEAL_SHRINK | LinuxNative.F_SEAL_GROW | LinuxNative.F_SEAL_SEAL));
        } catch (NativeException | RuntimeException e) {
            LinuxNative.closeQuietly(fd);
            throw e;
        }
        return new HostMemoryResource(spec, fd);
    }

    @Override
    public void importContents(ByteBuffer src) {
        pixels.put(0, src, 0, (int) spec().sizeBytes());
    }
}
