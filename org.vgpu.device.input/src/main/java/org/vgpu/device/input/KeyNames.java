package org.vgpu.device.input;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Linux key names (input-event-codes.h, any case, the KEY_ prefix optional) to codes, for the
 * shell. A bare number is a code: the digit keys are KEY_1 .. KEY_0.
 */
final class KeyNames {
    /** KEY_ESC (1) .. KEY_KPDOT (83) in code order. */
    private static final String[] PC_KEYS = {
        "esc", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "minus", "equal", "backspace",
        "tab", "q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "leftbrace", "rightbrace", "enter",
        "leftctrl", "a", "s", "d", "f", "g", "h", "j", "k", "l", "semicolon", "apostrophe", "grave",
        "leftshift", "backslash", "z", "x", "c", "v", "b", "n", "m", "comma", "dot", "slash", "rightshift",
        "kpasterisk", "leftalt", "space", "capslock", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10",
        "numlock", "scrolllock", "kp7", "kp8", "kp9", "kpminus", "kp4", "kp5", "kp6", "kpplus", "kp1", "kp2", "kp3",
        "kp0", "kpdot",
    };
    private static final Map<String, Integer> CODES = new HashMap<>();

    static {
        for (int i = 0; i < PC_KEYS.length; i++) {
            CODES.put(PC_KEYS[i], i + 1);
        }
        Object[][] more = {
            {"102nd", 86}, {"f11", 87}, {"f12", 88}, {"kpenter", 96}, {"rightctrl", 97}, {"kpslash", 98},
            {"sysrq", 99}, {"rightalt", 100}, {"home", 102}, {"up", 103}, {"pageup", 104}, {"left", 105},
            {"right", 106}, {"end", 107}, {"down", 108}, {"pagedown", 109}, {"insert", 110}, {"delete", 111},
            {"mute", 113}, {"volumedown", 114}, {"volumeup", 115}, {"power", 116}, {"pause", 119},
            {"leftmeta", 125}, {"rightmeta", 126}, {"compose", 127}, {"menu", 139},
        };
        for (Object[] m : more) {
            CODES.put((String) m[0], (Integer) m[1]);
        }
    }

    private KeyNames() {
    }

    /** A key name (a, KEY_A, enter, KEY_1) or a decimal code (30); -1 if neither. */
    static int code(String nameOrCode) {
        String s = nameOrCode.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("key_")) {
            return CODES.getOrDefault(s.substring(4), -1);
        }
        if (!s.isEmpty() && !Character.isDigit(s.charAt(0))) {
            return CODES.getOrDefault(s, -1);
        }
        try {
            int code = Integer.parseInt(s);
            return code > 0 && code < Evdev.KEY_CNT ? code : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
