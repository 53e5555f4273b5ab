package org.vgpu.mmio;

import java.lang.System.Logger.Level;

import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.NativeException;

/**
 * One kick eventfd per queue, alive as long as the transport, so a KVM VM can bind each one as an
 * ioeventfd on QueueNotify (datamatch = queue index) once and keep it across device resets.
 * A QueueNotify that does exit to us signals the same eventfd, so the queue worker sees one path.
 */
final class QueueKicks implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(QueueKicks.class.getName());

    private final EventFd[] kicks;

    QueueKicks(int queueCount) throws NativeException {
        kicks = new EventFd[queueCount];
        try {
            for (int i = 0; i < queueCount; i++) {
                kicks[i] = EventFd.create(true); // nonblocking: drain() must never wait
            }
        } catch (NativeException e) {
            close();
            throw e;
        }
    }

    EventFd kick(int queueIndex) {
        return kicks[queueIndex];
    }

    /** QueueNotify from the guest; an index that names no queue is ignored. */
    void notify(int queueIndex) {
        if (queueIndex < 0 || queueIndex >= kicks.length) {
            return;
        }
        try {
            kicks[queueIndex].signal();
        } catch (NativeException e) {
            LOG.log(Level.WARNING, "queue " + queueIndex + " kick: " + e.getMessage());
        }
    }

    /** Forgets kicks that arrived while no worker listened, so a new activation starts quiet. */
    void drain() {
        for (EventFd kick : kicks) {
            try {
                kick.consume();
            } catch (NativeException e) {
                LOG.log(Level.WARNING, "kick drain: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        for (EventFd kick : kicks) {
            if (kick != null) {
                kick.close();
            }
        }
    }
}
