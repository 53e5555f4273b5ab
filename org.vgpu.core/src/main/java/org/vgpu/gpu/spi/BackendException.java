package org.vgpu.gpu.spi;

/** A backend could not do what was asked (e.g. host allocation failed); the guest gets an error. */
public class BackendException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean outOfMemory;

    public BackendException(String message, boolean outOfMemory) {
        super(message, null, false, false);
        this.outOfMemory = outOfMemory;
    }

    /** Whether the guest should see ERR_OUT_OF_MEMORY rather than ERR_UNSPEC. */
    public boolean outOfMemory() {
        return outOfMemory;
    }
}
