package org.vgpu.input.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One input device of a guest, as a service. Each call is one complete event group (the device
 * ends it with SYN_REPORT); calls come from any thread and return at once: a device whose guest
 * has given no buffers holds a bounded number of events, dropping the oldest first.
 */
@ProviderType
public interface InputTarget {

    /** Service property: the device name, e.g. "keyboard0". */
    String PROP_NAME = "vgpu.input.name";

    /** Service property: the GPU device whose scanouts this device's absolute axes map to, e.g. "gpu0". */
    String PROP_DISPLAY = "vgpu.input.display";

    /** Service property: the {@link Kind} name. */
    String PROP_KIND = "vgpu.input.kind";

    enum Kind {
        KEYBOARD, TABLET
    }

    String name();

    Kind kind();

    /** The GPU device name whose scanouts the absolute axes map to. */
    String display();

    /** A key (Linux evdev code, KEY_*) pressed or released; ignored by a device without keys. */
    void key(int code, boolean pressed);

    /** A pointer button (evdev BTN_LEFT, BTN_RIGHT, BTN_MIDDLE) pressed or released. */
    void button(int code, boolean pressed);

    /**
     * The pointer at (x, y) on a scanout of width x height pixels; the device scales it to its
     * absolute axis range. Ignored by a device without absolute axes.
     */
    void pointer(int x, int y, int width, int height);

    /** Wheel steps (REL_WHEEL): positive away from the user. */
    void wheel(int steps);
}
