package org.vgpu.virtio.sys;

import java.io.IOException;

/** A failed system call, with its errno. */
public class NativeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NativeException(String call, int errno) {
        super(call + ": " + LinuxNative.describe(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
