package org.vgpu.display.vnc;

import java.util.Locale;

/** RFB encoding numbers (RFB 7.7, 7.8) this server knows, and the names used in its configuration. */
final class Encodings {
    static final int RAW = 0;
    static final int ZRLE = 16;
    static final int CURSOR = -239;
    static final int DESKTOP_SIZE = -223;
    static final int POINTER_POS = -232;

    private Encodings() {
    }

    /** A configurable (pixel) encoding by name; throws for one this server cannot send. */
    static int byName(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "raw" -> RAW;
            case "zrle" -> ZRLE;
            default -> throw new IllegalArgumentException("unknown VNC encoding '" + name + "' (raw, zrle)");
        };
    }

    static String name(int encoding) {
        return switch (encoding) {
            case RAW -> "raw";
            case ZRLE -> "zrle";
            default -> Integer.toString(encoding);
        };
    }
}
