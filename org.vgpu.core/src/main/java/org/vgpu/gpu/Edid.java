package org.vgpu.gpu;

import java.nio.ByteBuffer;

/**
 * Builds a 128-byte EDID 1.4 base block: a digital display whose preferred (first detailed)
 * timing is the scanout's configured size at 60 Hz, a few established and standard modes,
 * range limits and a monitor name.
 */
final class Edid {
    static final int SIZE = 128;

    private static final int H_FRONT = 48;   // reduced-blanking style timings: short blanking keeps the clock low
    private static final int H_SYNC = 32;
    private static final int H_BLANK = 160;
    private static final int V_FRONT = 3;
    private static final int V_SYNC = 6;
    private static final int V_BLANK = 35;
    private static final int DPI = 96;       // to derive a plausible physical size

    /** Standard timings offered besides the preferred one: {width, aspect code, refresh}. */
    private static final int[][] STANDARD = {
        {1280, 0, 60}, // 1280x800 16:10
        {1280, 2, 60}, // 1280x1024 5:4
        {1440, 0, 60}, // 1440x900 16:10
        {1600, 3, 60}, // 1600x900 16:9
        {1680, 0, 60}, // 1680x1050 16:10
        {1920, 3, 60}, // 1920x1080 16:9
        {1920, 0, 60}, // 1920x1200 16:10
    };

    private Edid() {
    }

    /** Writes the block at dst[index .. index + 128) (absolute). width/height must be 1..4095. */
    /** The most a GET_EDID response carries (virtio_gpu_resp_edid.edid[1024]). */
    static final int MAX_SIZE = 1024;
    private static final byte[] HEADER = {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0};

    /**
     * An EDID a display hands over is used only if it is one: whole 128-byte blocks, at most 1024
     * bytes, the fixed header, and block 0's bytes summing to 0 mod 256.
     */
    static boolean isValid(byte[] e) {
        if (e == null || e.length < SIZE || e.length > MAX_SIZE || e.length % SIZE != 0) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < SIZE; i++) {
            if (i < HEADER.length && e[i] != HEADER[i]) {
                return false;
            }
            sum += e[i] & 0xff;
        }
        return (sum & 0xff) == 0;
    }

    static void write(ByteBuffer dst, int index, int width, int height, int serial) {
        byte[] e = new byte[SIZE];
        // Header.
        e[0] = 0;
        for (int i = 1; i < 7; i++) {
            e[i] = (byte) 0xff;
        }
        e[7] = 0;
        // Manufacturer "VGP" (three 5-bit letters, big-endian), product 0x0001, serial.
        int mfg = ('V' - '@') << 10 | ('G' - '@') << 5 | ('P' - '@');
        e[8] = (byte) (mfg >> 8);
        e[9] = (byte) mfg;
        e[10] = 1;
        e[11] = 0;
        e[12] = (byte) serial;
        e[13] = (byte) (serial >> 8);
        e[14] = (byte) (serial >> 16);
        e[15] = (byte) (serial >> 24);
        e[16] = 1;            // week
        e[17] = (byte) (2024 - 1990);
        e[18] = 1;            // EDID 1.4
        e[19] = 4;
        e[20] = (byte) 0xa5;  // digital, 8 bits per colour, DisplayPort
        int widthMm = width * 254 / (DPI * 10);
        int heightMm = height * 254 / (DPI * 10);
        e[21] = (byte) Math.max(1, (widthMm + 5) / 10);   // cm
        e[22] = (byte) Math.max(1, (heightMm + 5) / 10);
        e[23] = 120;          // gamma 2.2
        e[24] = 0x06;         // RGB 4:4:4, sRGB default, preferred timing is native
        writeChromaticity(e);
        e[35] = 0x21;         // 640x480@60, 800x600@60
        e[36] = 0x08;         // 1024x768@60
        e[37] = 0;
        int s = 38;
        for (int[] st : STANDARD) {
            e[s++] = (byte) (st[0] / 8 - 31);
            e[s++] = (byte) (st[1] << 6 | st[2] - 60);
        }
        while (s < 54) {
            e[s++] = 1;       // unused standard timing
        }
        writeDetailedTiming(e, 54, width, height, widthMm, heightMm);
        writeRangeLimits(e, 72);
        writeText(e, 90, 0xfc, "vgpu");
        writeText(e, 108, 0xfe, "virtio-gpu");
        e[126] = 0;           // no extensions
        int sum = 0;
        for (int i = 0; i < 127; i++) {
            sum += e[i] & 0xff;
        }
        e[127] = (byte) (-sum & 0xff);
        dst.put(index, e);
    }

    private static void writeChromaticity(byte[] e) {
        // sRGB primaries and D65 white point as 10-bit fractions.
        int rx = tenBit(0.640), ry = tenBit(0.330), gx = tenBit(0.300), gy = tenBit(0.600);
        int bx = tenBit(0.150), by = tenBit(0.060), wx = tenBit(0.3127), wy = tenBit(0.3290);
        e[25] = (byte) ((rx & 3) << 6 | (ry & 3) << 4 | (gx & 3) << 2 | (gy & 3));
        e[26] = (byte) ((bx & 3) << 6 | (by & 3) << 4 | (wx & 3) << 2 | (wy & 3));
        e[27] = (byte) (rx >> 2);
        e[28] = (byte) (ry >> 2);
        e[29] = (byte) (gx >> 2);
        e[30] = (byte) (gy >> 2);
        e[31] = (byte) (bx >> 2);
        e[32] = (byte) (by >> 2);
        e[33] = (byte) (wx >> 2);
        e[34] = (byte) (wy >> 2);
    }

    private static int tenBit(double v) {
        return (int) Math.round(v * 1024);
    }

    private static void writeDetailedTiming(byte[] e, int o, int w, int h, int wMm, int hMm) {
        long clock10kHz = (long) (w + H_BLANK) * (h + V_BLANK) * 60 / 10_000;
        int clock = (int) Math.min(0xffff, Math.max(1, clock10kHz)); // big modes: refresh drops below 60
        e[o] = (byte) clock;
        e[o + 1] = (byte) (clock >> 8);
        e[o + 2] = (byte) w;
        e[o + 3] = (byte) H_BLANK;
        e[o + 4] = (byte) ((w >> 8) << 4 | H_BLANK >> 8);
        e[o + 5] = (byte) h;
        e[o + 6] = (byte) V_BLANK;
        e[o + 7] = (byte) ((h >> 8) << 4 | V_BLANK >> 8);
        e[o + 8] = (byte) H_FRONT;
        e[o + 9] = (byte) H_SYNC;
        e[o + 10] = (byte) ((V_FRONT & 0xf) << 4 | V_SYNC & 0xf);
        e[o + 11] = (byte) ((H_FRONT >> 8 & 3) << 6 | (H_SYNC >> 8 & 3) << 4 | (V_FRONT >> 4 & 3) << 2 | V_SYNC >> 4 & 3);
        e[o + 12] = (byte) wMm;
        e[o + 13] = (byte) hMm;
        e[o + 14] = (byte) ((wMm >> 8 & 0xf) << 4 | hMm >> 8 & 0xf);
        e[o + 15] = 0;
        e[o + 16] = 0;
        e[o + 17] = 0x1e;     // digital separate sync, +hsync +vsync
    }

    private static void writeRangeLimits(byte[] e, int o) {
        e[o + 3] = (byte) 0xfd;
        e[o + 5] = 50;        // vertical 50..125 Hz
        e[o + 6] = 125;
        e[o + 7] = 30;        // horizontal 30..160 kHz
        e[o + 8] = (byte) 160;
        e[o + 9] = 66;        // max pixel clock 660 MHz (the DTD limit)
        e[o + 10] = 1;        // range limits only
        e[o + 11] = 0x0a;
        for (int i = 12; i < 18; i++) {
            e[o + i] = 0x20;
        }
    }

    private static void writeText(byte[] e, int o, int tag, String text) {
        e[o + 3] = (byte) tag;
        int i = 5;
        for (int c = 0; c < text.length() && i < 18; c++) {
            e[o + i++] = (byte) text.charAt(c);
        }
        if (i < 18) {
            e[o + i++] = 0x0a;
        }
        while (i < 18) {
            e[o + i++] = 0x20;
        }
    }
}
