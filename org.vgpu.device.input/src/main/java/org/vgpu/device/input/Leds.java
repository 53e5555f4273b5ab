package org.vgpu.device.input;

import static org.vgpu.device.input.Evdev.*;

/** The keyboard LEDs as the guest last set them through the status queue (what QEMU's kbd_put_ledstate shows). */
final class Leds {
    private static final String[] NAMES = {"num", "caps", "scroll"};
    private volatile int bits;

    /** Sets or clears one LED; false for a code the keyboard does not offer. */
    boolean apply(int code, int value) {
        if (code != LED_NUML && code != LED_CAPSL && code != LED_SCROLLL) {
            return false;
        }
        bits = value != 0 ? bits | 1 << code : bits & ~(1 << code);
        return true;
    }

    boolean isOn(int code) {
        return (bits & 1 << code) != 0;
    }

    void clear() {
        bits = 0;
    }

    /** "caps,num" style, or "none". */
    String describe() {
        int b = bits;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++) {
            if ((b & 1 << i) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(NAMES[i]);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
