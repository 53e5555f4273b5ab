package org.vgpu.display.vnc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.vgpu.input.spi.InputTarget;

/**
 * The guest input devices a VNC client's events go to: every {@link InputTarget} whose display
 * (service property {@link InputTarget#PROP_DISPLAY}) is the GPU device the client views. Each event
 * goes to all of them; a device ignores what it does not have (a keyboard has no axes).
 */
final class InputRouter {
    record Bound(InputTarget target, String display) {
    }

    private final List<Bound> targets = new CopyOnWriteArrayList<>();

    void add(InputTarget target, String display) {
        targets.add(new Bound(target, display != null ? display : target.display()));
    }

    void remove(InputTarget target) {
        targets.removeIf(b -> b.target == target);
    }

    List<Bound> targets() {
        return targets;
    }

    void key(String display, int code, boolean pressed) {
        for (Bound b : targets) {
            if (b.display.equals(display)) {
                b.target.key(code, pressed);
            }
        }
    }

    void button(String display, int code, boolean pressed) {
        for (Bound b : targets) {
            if (b.display.equals(display)) {
                b.target.button(code, pressed);
            }
        }
    }

    void pointer(String display, int x, int y, int width, int height) {
        for (Bound b : targets) {
            if (b.display.equals(display)) {
                b.target.pointer(x, y, width, height);
            }
        }
    }

    void wheel(String display, int steps) {
        for (Bound b : targets) {
            if (b.display.equals(display)) {
                b.target.wheel(steps);
            }
        }
    }
}
