package org.vgpu.virtio.runtime;

/**
 * How long a queue worker busy-polls its rings after work before it sleeps in poll(): QEMU's
 * adaptive AioContext polling (poll-max-ns). A wake-up from sleep costs tens of microseconds on a
 * virtual CPU that halted, more than the command it brings; a driver that sends its next request
 * within the window is served without one. The window grows (from 4 us, doubling) while requests
 * come within the maximum after the worker fell asleep, and halves when one comes later, so an
 * idle device soon costs no CPU at all.
 */
final class PollWindow {
    static final long START_NANOS = 4_000;

    private final long maxNanos;
    private long nanos;

    /** maxNanos 0: never poll. */
    PollWindow(long maxNanos) {
        this(maxNanos, 0);
    }

    /** Starting at initialNanos (a test's window that is open from the first request on). */
    PollWindow(long maxNanos, long initialNanos) {
        if (maxNanos < 0 || initialNanos < 0 || initialNanos > maxNanos) {
            throw new IllegalArgumentException("maxNanos " + maxNanos + ", initialNanos " + initialNanos);
        }
        this.maxNanos = maxNanos;
        this.nanos = initialNanos;
    }

    /** How long to poll now. */
    long nanos() {
        return nanos;
    }

    /** The worker slept {@code sleptNanos} in poll() until work came (not a stop). */
    void slept(long sleptNanos) {
        if (sleptNanos <= nanos) {
            return; // the window would have caught it: keep it
        }
        if (sleptNanos > maxNanos) {
            nanos = nanos / 2 < START_NANOS ? 0 : nanos / 2; // work comes later than polling can wait for
        } else {
            nanos = Math.min(maxNanos, nanos == 0 ? START_NANOS : nanos * 2); // a longer window would have caught it
        }
    }
}
