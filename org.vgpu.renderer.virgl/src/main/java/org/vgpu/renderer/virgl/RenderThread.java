package org.vgpu.renderer.virgl;

import java.util.concurrent.TimeUnit;

/**
 * The one thread that calls virglrenderer: it initialised the library, so its GL context is
 * current here and nowhere else. Callers hand it one operation at a time and wait for its result
 * (virglrenderer's calls are synchronous, as in QEMU's device loop); between operations it polls
 * fences (every millisecond while some are outstanding), and the fence callbacks it runs only
 * queue a signal: nothing here waits for a device.
 */
final class RenderThread {
    /** An operation on the render thread; its int is the caller's result. */
    interface Op {
        int run();
    }

    /** A native call that does not come back this long means a hung driver: the renderer is given up. */
    static final long TIMEOUT_MILLIS = 20_000;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Thread thread;
    private final Runnable poll;
    private final Object lock = new Object();
    private Op pending;
    private long submitted;
    private long finished;
    private int result;
    private RuntimeException failure;
    private boolean closed;
    private String broken;
    /** Fences asked for and not signalled yet: while any, the thread polls. */
    private int outstanding;

    /** poll: virgl_renderer_poll, run after every operation and on the timer. */
    RenderThread(String name, Runnable poll) {
        this.poll = poll;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Runs op on the render thread and returns its result (rethrows what it threw). Throws
     * IllegalStateException if the thread is closed, or broken by an earlier timeout.
     */
    int call(Op op) {
        if (Thread.currentThread() == thread) {
            return op.run();
        }
        synchronized (lock) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
            while (pending != null && broken == null && !closed) {
                waitUntil(deadline, "the previous operation");
            }
            if (broken != null || closed) {
                throw new IllegalStateException(broken != null ? broken : "the virgl renderer stopped");
            }
            pending = op;
            long mine = ++submitted;
            lock.notifyAll();
            while (finished < mine) {
                waitUntil(deadline, "this operation");
            }
            RuntimeException f = failure;
            int r = result;
            failure = null;
            pending = null; // collected: the next caller may go
            lock.notifyAll();
            if (f != null) {
                throw f;
            }
            return r;
        }
    }

    private void waitUntil(long deadline, String what) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            broken = "virglrenderer did not finish " + what + " in " + TIMEOUT_MILLIS + " ms: renderer given up";
            lock.notifyAll();
            throw new IllegalStateException(broken);
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the virgl renderer", e);
        }
    }

    /** A fence was asked for (polling starts) or signalled (n < 0). Any thread. */
    void fencesOutstanding(int n) {
        synchronized (lock) {
            outstanding = Math.max(0, outstanding + n);
            lock.notifyAll();
        }
    }

    private void loop() {
        while (true) {
            Op op;
            synchronized (lock) {
                while (submitted == finished && !closed) {
                    try {
                        if (outstanding > 0) {
                            TimeUnit.NANOSECONDS.timedWait(lock, POLL_NANOS);
                            break;
                        }
                        lock.wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed && submitted == finished) {
                    return;
                }
                op = submitted > finished ? pending : null;
            }
            int r = 0;
            RuntimeException f = null;
            if (op != null) {
                try {
                    r = op.run();
                } catch (RuntimeException e) {
                    f = e;
                }
            }
            try {
                poll.run();
            } catch (RuntimeException e) {
                // a failing fence callback must not stop the renderer
            }
            if (op != null) {
                synchronized (lock) {
                    result = r;
                    failure = f;
                    finished++;
                    lock.notifyAll();
                }
            }
        }
    }

    /** Stops the thread once it is idle (after a last operation, if one runs) and waits up to the timeout. */
    void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean isRenderThread() {
        return Thread.currentThread() == thread;
    }
}
