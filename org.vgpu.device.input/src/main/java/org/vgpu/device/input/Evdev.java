package org.vgpu.device.input;

/** The Linux evdev numbers virtio-input speaks (include/uapi/linux/input-event-codes.h). */
final class Evdev {
    static final int EV_SYN = 0x00;
    static final int EV_KEY = 0x01;
    static final int EV_REL = 0x02;
    static final int EV_ABS = 0x03;
    static final int EV_MSC = 0x04;
    static final int EV_LED = 0x11;
    static final int EV_REP = 0x14;
    /** Event types are below this (EV_MAX + 1). */
    static final int EV_CNT = 0x20;

    static final int SYN_REPORT = 0;

    static final int KEY_CAPSLOCK = 58;
    /** Key and button codes are below this (KEY_MAX + 1). */
    static final int KEY_CNT = 0x300;

    static final int BTN_LEFT = 0x110;
    static final int BTN_RIGHT = 0x111;
    static final int BTN_MIDDLE = 0x112;
    static final int BTN_GEAR_DOWN = 0x150;
    static final int BTN_GEAR_UP = 0x151;

    static final int REL_WHEEL = 0x08;

    static final int ABS_X = 0x00;
    static final int ABS_Y = 0x01;

    static final int LED_NUML = 0x00;
    static final int LED_CAPSL = 0x01;
    static final int LED_SCROLLL = 0x02;

    static final int REP_DELAY = 0x00;
    static final int REP_PERIOD = 0x01;

    static final int BUS_VIRTUAL = 0x06;

    private Evdev() {
    }
}
