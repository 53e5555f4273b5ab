package org.vgpu.gpu.crossdomain;

import static org.vgpu.gpu.crossdomain.CrossDomainWire.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.vgpu.virtio.sys.LinuxNative;

/**
 * What an fd the compositor passed is, as the guest will name it: a write pipe (a data offer's
 * or a clipboard's), an eventfd, or memory (a keymap memfd, a file) with its size. Anything else
 * (a read end of a pipe, a socket, a device) has no identifier type the guest understands.
 */
record ReceivedFd(int identifierType, long size) {
    private static final int O_ACCMODE = 3;
    private static final int O_WRONLY = 1;
    static final long MAX_BLOB_SIZE = 0xffff_ffffL; // identifier_sizes are le32

    /** The kind of fd, or null if the guest cannot be given it. */
    static ReceivedFd of(int fd) {
        Path link = Path.of("/proc/self/fd", Integer.toString(fd));
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
        return classify(target, () -> LinuxNative.fcntl(fd, LinuxNative.F_GETFL, 0), () -> {
            try {
                return Files.size(link);
            } catch (IOException e) {
                return -1L;
            }
        });
    }

    interface IntProbe {
        int get();
    }

    interface LongProbe {
        long get();
    }

    /** Pure: the /proc/self/fd link target, the fd's status flags and its size decide. */
    static ReceivedFd classify(String linkTarget, IntProbe statusFlags, LongProbe size) {
        if (linkTarget.startsWith("pipe:")) {
            int flags = statusFlags.get();
            return flags >= 0 && (flags & O_ACCMODE) == O_WRONLY ? new ReceivedFd(ID_TYPE_WRITE_PIPE, 0) : null;
        }
        if (linkTarget.equals("anon_inode:[eventfd]")) {
            return new ReceivedFd(ID_TYPE_EVENT, 0);
        }
        if (linkTarget.startsWith("/")) { // a memfd ("/memfd:name (deleted)") or a regular file
            long s = size.get();
            return s > 0 && s <= MAX_BLOB_SIZE ? new ReceivedFd(ID_TYPE_VIRTGPU_BLOB, s) : null;
        }
        return null;
    }
}
