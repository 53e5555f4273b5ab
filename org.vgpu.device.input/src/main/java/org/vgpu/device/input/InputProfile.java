package org.vgpu.device.input;

import static org.vgpu.device.input.Evdev.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.vgpu.input.spi.InputTarget.Kind;

/**
 * What a virtio-input device tells its driver about itself (VIRTIO 1.4 5.8.4, virtio_input_config):
 * name, serial, ids and the evdev capability bitmaps, as QEMU's virtio-keyboard and virtio-tablet
 * (hw/input/virtio-input-hid.c) describe themselves, so guests treat both the same. Immutable.
 */
final class InputProfile {
    static final int CFG_UNSET = 0x00;
    static final int CFG_ID_NAME = 0x01;
    static final int CFG_ID_SERIAL = 0x02;
    static final int CFG_ID_DEVIDS = 0x03;
    static final int CFG_PROP_BITS = 0x10;
    static final int CFG_EV_BITS = 0x11;
    static final int CFG_ABS_INFO = 0x12;

    /** The union's size: strings and bitmaps are cut to it. */
    static final int PAYLOAD_MAX = 128;
    /** QEMU's INPUT_EVENT_ABS_MAX: the tablet's axes run 0..32767 whatever the screen. */
    static final int ABS_MAX = 0x7fff;
    /** QEMU's USB HID vendor id, which its virtio input devices share. */
    private static final int VENDOR = 0x0627;

    /**
     * The keyboard's keys: the Linux codes QEMU's key codes (qcodes) map to: the PC keyboard,
     * the Japanese and Korean keys, and the ACPI, media and browser keys.
     */
    static final int[] KEYBOARD_KEYS = keyboardKeys();
    /** QEMU's keymap_button: the buttons its pointer devices may press. */
    static final int[] TABLET_BUTTONS = {BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_GEAR_UP, BTN_GEAR_DOWN, 0x113, 0x114, 0x14a};

    final Kind kind;
    private final byte[] name;
    private final byte[] serial;
    private final int product;
    private final int version;
    /** evBits[type]: the bitmap of the codes of that event type, or null for a type not offered. */
    private final byte[][] evBits = new byte[EV_CNT][];

    private InputProfile(Kind kind, String name, String serial) {
        this.kind = kind;
        this.name = truncated(name);
        this.serial = truncated(serial);
        if (kind == Kind.KEYBOARD) {
            product = 1;
            version = 1;
            evBits[EV_KEY] = bitmap(KEYBOARD_KEYS);
            evBits[EV_REP] = new byte[1]; // present (the guest repeats keys itself), no codes
            evBits[EV_LED] = bitmap(LED_NUML, LED_CAPSL, LED_SCROLLL);
        } else {
            product = 3;
            version = 2; // QEMU's tablet with a wheel axis
            evBits[EV_KEY] = bitmap(TABLET_BUTTONS);
            evBits[EV_REL] = bitmap(REL_WHEEL);
            evBits[EV_ABS] = bitmap(ABS_X, ABS_Y);
        }
    }

    static InputProfile of(Kind kind, String name, String serial) {
        return new InputProfile(kind, name, serial);
    }

    /** Whether the device offers this event type at all (EV_REP has no codes). */
    boolean hasType(int type) {
        return type >= 0 && type < EV_CNT && evBits[type] != null;
    }

    /** Whether the device offers this event type and code (evdev drops what a device did not declare). */
    boolean offers(int type, int code) {
        if (type < 0 || type >= EV_CNT || evBits[type] == null || code < 0) {
            return false;
        }
        byte[] bits = evBits[type];
        return code / 8 < bits.length && (bits[code / 8] & (1 << (code % 8))) != 0;
    }

    /**
     * Writes the answer to (select, subsel) into payload[0..] (zeroed first) and returns its
     * size; 0 for anything the device does not have, which is how the spec says "no such item".
     */
    int answer(int select, int subsel, ByteBuffer payload) {
        for (int i = 0; i < PAYLOAD_MAX; i++) {
            payload.put(i, (byte) 0);
        }
        switch (select) {
            case CFG_ID_NAME:
                return subsel == 0 ? copy(name, payload) : 0;
            case CFG_ID_SERIAL:
                return subsel == 0 ? copy(serial, payload) : 0;
            case CFG_ID_DEVIDS:
                if (subsel != 0) {
                    return 0;
                }
                payload.putShort(0, (short) BUS_VIRTUAL).putShort(2, (short) VENDOR)
                        .putShort(4, (short) product).putShort(6, (short) version);
                return 8;
            case CFG_PROP_BITS:
                return 0; // neither QEMU device sets input properties
            case CFG_EV_BITS:
                return subsel < EV_CNT && evBits[subsel] != null ? copy(evBits[subsel], payload) : 0;
            case CFG_ABS_INFO:
                if (!offers(EV_ABS, subsel)) {
                    return 0;
                }
                payload.putInt(0, 0).putInt(4, ABS_MAX); // min, max; fuzz, flat, res stay 0
                return 20;
            default:
                return 0;
        }
    }

    private static int copy(byte[] bytes, ByteBuffer payload) {
        payload.put(0, bytes, 0, bytes.length);
        return bytes.length;
    }

    /** Config strings are not NUL-terminated (size says the length) and hold at most 128 bytes. */
    private static byte[] truncated(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= PAYLOAD_MAX ? b : Arrays.copyOf(b, PAYLOAD_MAX);
    }

    /** A bitmap as QEMU's virtio_input_extend_config builds it: as many bytes as the highest bit needs. */
    static byte[] bitmap(int... codes) {
        int max = Arrays.stream(codes).max().orElse(-1);
        byte[] bits = new byte[max / 8 + 1];
        for (int code : codes) {
            bits[code / 8] |= (byte) (1 << (code % 8));
        }
        return bits;
    }

    private static int[] keyboardKeys() {
        int[][] ranges = {
            {1, 83},    // KEY_ESC .. KEY_KPDOT: the PC/AT keyboard
            {85, 119},  // KEY_ZENKAKUHANKAKU .. KEY_PAUSE: 102nd key, F11/F12, Japanese, keypad, arrows, power, mute
            {121, 140}, // KEY_KPCOMMA .. KEY_CALC: Korean, yen, meta, compose, Sun keys, menu
            {142, 143}, // KEY_SLEEP, KEY_WAKEUP
            {150, 150}, // KEY_WWW
            {155, 159}, // KEY_MAIL .. KEY_FORWARD
            {163, 166}, // KEY_NEXTSONG .. KEY_STOPCD
            {171, 173}, // KEY_CONFIG, KEY_HOMEPAGE, KEY_REFRESH
            {183, 194}, // KEY_F13 .. KEY_F24
            {217, 217}, // KEY_SEARCH
            {226, 226}, // KEY_MEDIA
        };
        return Arrays.stream(ranges).flatMapToInt(r -> java.util.stream.IntStream.rangeClosed(r[0], r[1])).toArray();
    }
}
