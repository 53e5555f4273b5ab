package org.vgpu.gpu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.MappedFdResource;
import org.vgpu.gpu.spi.ResourceSpec;
import org.vgpu.virtio.sys.LinuxNative;

/**
 * A HOST3D blob that is memory another process made (a compositor's keymap memfd, received over
 * a context's channel): the device owns a duplicate fd, maps it into the guest and reads it for
 * nothing but a scanout or a migration. Only a memfd sealed against shrinking qualifies (a
 * truncation could otherwise fault the guest's or our mapping); sealed against writes it is
 * mapped read-only, here and in the guest.
 */
final class ReceivedMemory extends MappedFdResource {
    private final boolean writable;

    private ReceivedMemory(ResourceSpec spec, int fd, long size, boolean writable) throws BackendException {
        super(spec, fd, size, false); // read here only: the guest's mapping is the one that may write
        this.writable = writable;
    }

    /** Takes ownership of fd (closed on failure too); size: the memory's size as the context learnt it. */
    static ReceivedMemory of(ResourceSpec spec, int fd, long size) throws BackendException {
        int seals = LinuxNative.fcntl(fd, LinuxNative.F_GET_SEALS, 0);
        long actual;
        try {
            actual = Files.size(Path.of("/proc/self/fd", Integer.toString(fd)));
        } catch (IOException e) {
            actual = -1;
        }
        if (seals < 0 || (seals & LinuxNative.F_SEAL_SHRINK) == 0 || actual < size) {
            LinuxNative.closeQuietly(fd);
            throw new BackendException("received memory not sealed against shrinking, or smaller than announced", false);
        }
        return new ReceivedMemory(spec, fd, size, (seals & LinuxNative.F_SEAL_WRITE) == 0);
    }

    /** Whether the guest may write it (not sealed against writes). */
    boolean writable() {
        return writable;
    }

    @Override
    public void importContents(ByteBuffer src) {
        // another process's memory: nothing is moved into it
    }
}
