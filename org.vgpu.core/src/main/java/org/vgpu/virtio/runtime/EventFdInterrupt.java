package org.vgpu.virtio.runtime;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.vgpu.virtio.api.Interrupt;
import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.NativeException;

/**
 * Signals one call eventfd per queue (vhost-user SET_VRING_CALL, KVM irqfd) and reports config
 * changes to a callback. Call fds may be swapped while running; the caller owns and closes them.
 */
public final class EventFdInterrupt implements Interrupt {
    private static final System.Logger LOG = System.getLogger(EventFdInterrupt.class.getName());

    private final AtomicReferenceArray<EventFd> calls;
    private final Runnable configChanged;

    public EventFdInterrupt(int queueCount, Runnable configChanged) {
        this.calls = new AtomicReferenceArray<>(queueCount);
        this.configChanged = Objects.requireNonNull(configChanged, "configChanged");
    }

    /** Sets (or with null clears) the call eventfd of a queue. */
    public void setCallFd(int queueIndex, EventFd call) {
        calls.set(queueIndex, call);
    }

    public EventFd callFd(int queueIndex) {
        return calls.get(queueIndex);
    }

    @Override
    public void signalQueue(int queueIndex) {
        if (queueIndex < 0 || queueIndex >= calls.length()) {
            return;
        }
        EventFd call = calls.get(queueIndex);
        if (call == null) {
            return; // the driver polls this queue
        }
        try {
            call.signal();
        } catch (NativeException e) {
            LOG.log(Level.WARNING, "queue " + queueIndex + " call eventfd: " + e.getMessage());
        }
    }

    @Override
    public void signalConfig() {
        configChanged.run();
    }
}
