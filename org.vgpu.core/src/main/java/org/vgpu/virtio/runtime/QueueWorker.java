package org.vgpu.virtio.runtime;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.memory.GuestMemoryException;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The one thread serving an activated device: sleeps in poll() on the queues' kick eventfds
 * (and a private stop eventfd), consumes a kick, counts it and calls
 * {@link VirtioDevice#processQueue}. After work it may busy-poll the rings' avail indexes for
 * an adaptive window of at most the configured maximum ({@link PollWindow}) before it sleeps
 * again; an idle device costs no CPU. The kick eventfds stay owned by the caller.
 */
public final class QueueWorker {
    private static final System.Logger LOG = System.getLogger(QueueWorker.class.getName());
    private static final int POLLFD_SIZE = 8; // struct pollfd {int fd; short events; short revents}
    private static final short BROKEN = LinuxNative.POLLERR | LinuxNative.POLLHUP | LinuxNative.POLLNVAL;

    private final VirtioDevice device;
    private final DeviceActivation activation;
    private final EventFd[] kicks;
    private final EventFd stop;
    private final Memory pollFds;
    private final Thread thread;
    private final PollWindow window;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private boolean stopRequestedBySelf; // only touched by the worker thread

    /** kicks[i] is queue i's kick eventfd, or null if the queue is not served. Never busy-polls. */
    public QueueWorker(VirtioDevice device, DeviceActivation activation, EventFd[] kicks) throws NativeException {
        this(device, activation, kicks, 0);
    }

    /**
     * kicks[i] is queue i's kick eventfd, or null if the queue is not served; after work the rings
     * are busy-polled for up to maxPollNanos (0: never) before the thread sleeps.
     */
    public QueueWorker(VirtioDevice device, DeviceActivation activation, EventFd[] kicks, long maxPollNanos) throws NativeException {
        this(device, activation, kicks, new PollWindow(maxPollNanos));
    }

    QueueWorker(VirtioDevice device, DeviceActivation activation, EventFd[] kicks, PollWindow window) throws NativeException {
        this.window = window;
        this.device = Objects.requireNonNull(device, "device");
        this.activation = Objects.requireNonNull(activation, "activation");
        this.kicks = kicks.clone();
        this.stop = EventFd.create(true);
        this.pollFds = new Memory((long) POLLFD_SIZE * (kicks.length + 1));
        pollFds.clear();
        for (int i = 0; i < kicks.length; i++) {
            pollFds.setInt((long) POLLFD_SIZE * i, kicks[i] != null ? kicks[i].fd() : -1); // poll skips fd -1
            pollFds.setShort((long) POLLFD_SIZE * i + 4, LinuxNative.POLLIN);
        }
        pollFds.setInt((long) POLLFD_SIZE * kicks.length, stop.fd());
        pollFds.setShort((long) POLLFD_SIZE * kicks.length + 4, LinuxNative.POLLIN);
        this.thread = new Thread(this::run, "vgpu-queues-" + device.name());
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Stops the thread and waits for it. Called from the worker itself (e.g. a device calling
     * needsReset and the transport stopping it), it only asks: the thread ends after this call.
     * Idempotent.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        if (thread.getState() == Thread.State.NEW) {
            release();
            return;
        }
        try {
            stop.signal();
        } catch (NativeException e) {
            LOG.log(Level.ERROR, "cannot signal queue worker to stop: " + e.getMessage());
        }
        if (Thread.currentThread() == thread) {
            stopRequestedBySelf = true;
            return; // run() releases on its way out
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        release();
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    private void run() {
        long fds = Pointer.nativeValue(pollFds);
        int count = kicks.length + 1;
        boolean block = true;
        try {
            while (true) {
                long sleptFrom = System.nanoTime();
                int ready = LinuxNative.poll(fds, count, block ? -1 : 0);
                if (ready < 0) {
                    if (LinuxNative.errno() == LinuxNative.EINTR) {
                        continue;
                    }
                    throw new NativeException("poll", LinuxNative.errno());
                }
                if (pollFds.getShort((long) POLLFD_SIZE * kicks.length + 6) != 0) {
                    return; // stop requested
                }
                if (block) {
                    window.slept(System.nanoTime() - sleptFrom);
                }
                for (int i = 0; i < kicks.length; i++) {
                    long entry = (long) POLLFD_SIZE * i;
                    short revents = pollFds.getShort(entry + 6);
                    if ((revents & BROKEN) != 0) {
                        pollFds.setInt(entry, -1); // a dead kick fd would make poll spin
                        LOG.log(Level.WARNING, device.name() + ": kick fd of queue " + i + " failed, no longer polled");
                    } else if ((revents & LinuxNative.POLLIN) != 0 && kicks[i].consume() != 0) {
                        SplitQueue queue = activation.queue(i);
                        if (queue != null) {
                            queue.stats().countKick();
                        }
                        process(i);
                    }
                }
                // work found by polling: take the kicks that came with it (poll without sleeping), then poll again
                block = !pollRings(window.nanos());
            }
        } catch (NativeException e) {
            LOG.log(Level.ERROR, device.name() + ": queue worker stopped: " + e.getMessage());
            activation.needsReset("queue worker: " + e.getMessage());
        } finally {
            if (stopRequestedBySelf) {
                release();
            }
        }
    }

    /**
     * Busy-polls the served rings' avail indexes for up to nanos and processes the first queue
     * found with work; false if none had any (or a stop came).
     */
    private boolean pollRings(long nanos) {
        if (nanos <= 0) {
            return false;
        }
        long deadline = System.nanoTime() + nanos;
        GuestMemory memory = activation.memory();
        do {
            for (int i = 0; i < kicks.length; i++) {
                SplitQueue queue = kicks[i] == null ? null : activation.queue(i);
                if (queue != null && hasAvailable(queue, memory)) {
                    process(i);
                    return true;
                }
            }
            if (stopped.get()) {
                return false;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - deadline < 0);
        return false;
    }

    private static boolean hasAvailable(SplitQueue queue, GuestMemory memory) {
        try (GuestMemory.Lease lease = memory.lease()) {
            return queue.hasAvailable(memory);
        } catch (GuestMemoryException e) {
            return false; // a ring outside guest memory: the kick path reports it
        }
    }

    private void process(int queueIndex) {
        try {
            device.processQueue(queueIndex);
        } catch (RuntimeException e) {
            // a device bug must not kill the thread silently: report it, the driver resets
            LOG.log(Level.ERROR, device.name() + ": processQueue(" + queueIndex + ") failed", e);
            activation.needsReset("queue " + queueIndex + ": " + e);
        }
    }

    private void release() {
        stop.close();
        pollFds.close();
    }
}
