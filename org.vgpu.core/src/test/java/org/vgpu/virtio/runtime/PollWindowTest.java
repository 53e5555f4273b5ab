package org.vgpu.virtio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PollWindowTest {
    static final long US = 1000;

    @Test
    void requestsSoonAfterSleepGrowTheWindowFrom4UsByDoublingUpToTheMaximum() {
        PollWindow w = new PollWindow(50 * US);
        assertEquals(0, w.nanos(), "closed until work shows it pays");
        w.slept(30 * US);
        assertEquals(4 * US, w.nanos());
        w.slept(30 * US);
        assertEquals(8 * US, w.nanos());
        w.slept(30 * US);
        w.slept(30 * US);
        assertEquals(32 * US, w.nanos());
        w.slept(40 * US);
        assertEquals(50 * US, w.nanos(), "capped");
        w.slept(45 * US);
        assertEquals(50 * US, w.nanos());
    }

    @Test
    void aSleepTheWindowCoversKeepsIt() {
        PollWindow w = new PollWindow(50 * US, 16 * US);
        w.slept(10 * US);
        assertEquals(16 * US, w.nanos());
    }

    @Test
    void requestsLaterThanTheMaximumHalveTheWindowAndCloseIt() {
        PollWindow w = new PollWindow(50 * US, 32 * US);
        w.slept(1_000 * US);
        assertEquals(16 * US, w.nanos());
        w.slept(1_000 * US);
        w.slept(1_000 * US);
        assertEquals(4 * US, w.nanos());
        w.slept(1_000 * US);
        assertEquals(0, w.nanos(), "below 4 us it closes: an idle device costs nothing");
    }

    @Test
    void aZeroMaximumNeverPolls() {
        PollWindow w = new PollWindow(0);
        w.slept(1);
        w.slept(0);
        assertEquals(0, w.nanos());
    }

    @Test
    void anInitialWindowPastTheMaximumIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PollWindow(10, 20));
        assertThrows(IllegalArgumentException.class, () -> new PollWindow(-1));
    }
}
