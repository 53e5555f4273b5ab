package org.vgpu.display.vnc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vgpu.input.spi.InputTarget;

/** An InputTarget that records each call as a line ("key 30 down", "pointer 10 20 64 48", ...). */
final class FakeInputTarget implements InputTarget {
    private final String display;
    private final List<String> events = new ArrayList<>();

    FakeInputTarget(String display) {
        this.display = display;
    }

    @Override
    public String name() {
        return "fake-" + display;
    }

    @Override
    public Kind kind() {
        return Kind.KEYBOARD;
    }

    @Override
    public String display() {
        return display;
    }

    @Override
    public synchronized void key(int code, boolean pressed) {
        record("key " + code + (pressed ? " down" : " up"));
    }

    @Override
    public synchronized void button(int code, boolean pressed) {
        record("button 0x" + Integer.toHexString(code) + (pressed ? " down" : " up"));
    }

    @Override
    public synchronized void pointer(int x, int y, int width, int height) {
        record("pointer " + x + " " + y + " " + width + " " + height);
    }

    @Override
    public synchronized void wheel(int steps) {
        record("wheel " + steps);
    }

    private void record(String e) {
        events.add(e);
        notifyAll();
    }

    synchronized List<String> events() {
        return new ArrayList<>(events);
    }

    /** Bounded wait until at least n events arrived; returns them all. */
    synchronized List<String> await(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + n + " input events within 10 s, got " + events);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return new ArrayList<>(events);
    }
}
