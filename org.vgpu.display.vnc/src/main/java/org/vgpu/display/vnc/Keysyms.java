package org.vgpu.display.vnc;

/**
 * X keysyms (what an RFB KeyEvent carries) to Linux evdev key codes for the US layout: the physical
 * key that produces the symbol, so a shifted symbol ('A', '!') maps to the same key as its unshifted
 * one and the client's own Shift press supplies the shift, as QEMU's keymaps do.
 */
final class Keysyms {
    static final int KEY_ESC = 1, KEY_BACKSPACE = 14, KEY_TAB = 15, KEY_ENTER = 28, KEY_LEFTCTRL = 29,
            KEY_LEFTSHIFT = 42, KEY_RIGHTSHIFT = 54, KEY_LEFTALT = 56, KEY_SPACE = 57, KEY_CAPSLOCK = 58,
            KEY_F1 = 59, KEY_NUMLOCK = 69, KEY_SCROLLLOCK = 70, KEY_F11 = 87, KEY_F12 = 88, KEY_KPENTER = 96,
            KEY_RIGHTCTRL = 97, KEY_KPSLASH = 98, KEY_SYSRQ = 99, KEY_RIGHTALT = 100, KEY_HOME = 102, KEY_UP = 103,
            KEY_PAGEUP = 104, KEY_LEFT = 105, KEY_RIGHT = 106, KEY_END = 107, KEY_DOWN = 108, KEY_PAGEDOWN = 109,
            KEY_INSERT = 110, KEY_DELETE = 111, KEY_PAUSE = 119, KEY_LEFTMETA = 125, KEY_RIGHTMETA = 126, KEY_COMPOSE = 127;
    /** Codes are below this (KEY_COMPOSE is the highest this table gives). */
    static final int MAX_CODE = 128;

    /** Latin-1 0x20..0x7e: the key, US layout. */
    private static final int[] ASCII = new int[128];
    /** Keysyms 0xff00..0xffff (function, keypad, modifiers). */
    private static final int[] FUNCTION = new int[256];

    static {
        // Unshifted and shifted symbol of each key, in evdev order from KEY_1 (2).
        String[] rows = {"1!", "2@", "3#", "4$", "5%", "6^", "7&", "8*", "9(", "0)", "-_", "=+"};
        for (int i = 0; i < rows.length; i++) {
            both(rows[i], 2 + i);
        }
        letters("qwertyuiop", 16);
        both("[{", 26);
        both("]}", 27);
        letters("asdfghjkl", 30);
        both(";:", 39);
        both("'\"", 40);
        both("`~", 41);
        both("\\|", 43);
        letters("zxcvbnm", 44);
        both(",<", 51);
        both(".>", 52);
        both("/?", 53);
        ASCII[' '] = KEY_SPACE;

        f(0x08, KEY_BACKSPACE); // BackSpace
        f(0x09, KEY_TAB);
        f(0x0d, KEY_ENTER);     // Return
        f(0x13, KEY_PAUSE);
        f(0x14, KEY_SCROLLLOCK);
        f(0x15, KEY_SYSRQ);
        f(0x1b, KEY_ESC);
        f(0x50, KEY_HOME);
        f(0x51, KEY_LEFT);
        f(0x52, KEY_UP);
        f(0x53, KEY_RIGHT);
        f(0x54, KEY_DOWN);
        f(0x55, KEY_PAGEUP);    // Prior
        f(0x56, KEY_PAGEDOWN);  // Next
        f(0x57, KEY_END);
        f(0x61, KEY_SYSRQ);     // Print
        f(0x63, KEY_INSERT);
        f(0x67, KEY_COMPOSE);   // Menu
        f(0x7f, KEY_NUMLOCK);
        f(0x8d, KEY_KPENTER);
        // KP_Home .. KP_Delete (num lock off) share the keypad keys with KP_7 .. KP_Decimal.
        int[] keypadNav = {71, 75, 72, 77, 80, 73, 81, 79, 76, 82, 83};
        for (int i = 0; i < keypadNav.length; i++) {
            f(0x95 + i, keypadNav[i]);
        }
        f(0xaa, 55);            // KP_Multiply
        f(0xab, 78);            // KP_Add
        f(0xac, 83);            // KP_Separator
        f(0xad, 74);            // KP_Subtract
        f(0xae, 83);            // KP_Decimal
        f(0xaf, KEY_KPSLASH);   // KP_Divide
        int[] keypadDigits = {82, 79, 80, 81, 75, 76, 77, 71, 72, 73};
        for (int i = 0; i < 10; i++) {
            f(0xb0 + i, keypadDigits[i]);
        }
        for (int i = 0; i < 10; i++) {
            f(0xbe + i, KEY_F1 + i); // F1..F10
        }
        f(0xc8, KEY_F11);
        f(0xc9, KEY_F12);
        f(0xe1, KEY_LEFTSHIFT);
        f(0xe2, KEY_RIGHTSHIFT);
        f(0xe3, KEY_LEFTCTRL);
        f(0xe4, KEY_RIGHTCTRL);
        f(0xe5, KEY_CAPSLOCK);
        f(0xe7, KEY_LEFTMETA);  // Meta_L
        f(0xe8, KEY_RIGHTMETA);
        f(0xe9, KEY_LEFTALT);
        f(0xea, KEY_RIGHTALT);
        f(0xeb, KEY_LEFTMETA);  // Super_L
        f(0xec, KEY_RIGHTMETA);
        f(0xff, KEY_DELETE);
    }

    private static void both(String unshiftedShifted, int code) {
        ASCII[unshiftedShifted.charAt(0)] = code;
        ASCII[unshiftedShifted.charAt(1)] = code;
    }

    private static void letters(String row, int firstCode) {
        for (int i = 0; i < row.length(); i++) {
            ASCII[row.charAt(i)] = firstCode + i;
            ASCII[Character.toUpperCase(row.charAt(i))] = firstCode + i;
        }
    }

    private static void f(int low, int code) {
        FUNCTION[low] = code;
    }

    private Keysyms() {
    }

    /** The evdev code of the key producing this keysym, or 0 if the table has none. */
    static int evdev(int keysym) {
        if (keysym >= 0x20 && keysym < 0x7f) {
            return ASCII[keysym];
        }
        if ((keysym & 0xffffff00) == 0xff00) {
            return FUNCTION[keysym & 0xff];
        }
        return switch (keysym) {
            case 0xfe03 -> KEY_RIGHTALT; // ISO_Level3_Shift (AltGr)
            case 0xfe20 -> KEY_TAB;      // ISO_Left_Tab (Shift+Tab)
            default -> 0;
        };
    }
}
