package org.vgpu.virtio.queue;

/** The ring itself is corrupt: the device should be marked NEEDS_RESET. */
public class QueueException extends Exception {
    private static final long serialVersionUID = 1L;

    public QueueException(String message) {
        super(message, null, false, false);
    }
}
