package org.vgpu.virtio.memory;

/** A guest-supplied address range that is unmapped, wraps around, or leaves guest memory. */
public class GuestMemoryException extends Exception {
    private static final long serialVersionUID = 1L;

    public GuestMemoryException(String message) {
        super(message, null, false, false); // thrown on hostile input: no stack trace cost
    }
}
