package org.vgpu.device.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.device.input.Evdev.*;
import static org.vgpu.device.input.InputProfile.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.vgpu.input.spi.InputTarget.Kind;

/** The config space a driver reads: every select QEMU's keyboard and tablet answer, and the ones they don't. */
class ConfigSpaceTest {
    private final ConfigSpace keyboard = new ConfigSpace(InputProfile.of(Kind.KEYBOARD, "vgpu keyboard keyboard0", "keyboard0"));
    private final ConfigSpace tablet = new ConfigSpace(InputProfile.of(Kind.TABLET, "vgpu tablet tablet0", "tablet0"));

    /** Writes select and subsel as a driver does (two byte writes), returns the 136-byte space. */
    private static ByteBuffer select(ConfigSpace c, int select, int subsel) {
        c.write(ConfigSpace.SELECT, ByteBuffer.wrap(new byte[] {(byte) select}));
        c.write(ConfigSpace.SUBSEL, ByteBuffer.wrap(new byte[] {(byte) subsel}));
        ByteBuffer all = ByteBuffer.allocate(ConfigSpace.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        c.read(0, all);
        return all;
    }

    private static int size(ByteBuffer space) {
        return space.get(ConfigSpace.SIZE) & 0xff;
    }

    private static String string(ByteBuffer space) {
        byte[] b = new byte[size(space)];
        space.get(ConfigSpace.PAYLOAD, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static boolean bit(ByteBuffer space, int code) {
        return code / 8 < size(space) && (space.get(ConfigSpace.PAYLOAD + code / 8) & 1 << code % 8) != 0;
    }

    @Test
    void namesSerialAndIdsAsQemu() {
        assertEquals("vgpu keyboard keyboard0", string(select(keyboard, CFG_ID_NAME, 0)));
        assertEquals("keyboard0", string(select(keyboard, CFG_ID_SERIAL, 0)));
        ByteBuffer ids = select(keyboard, CFG_ID_DEVIDS, 0);
        assertEquals(8, size(ids));
        assertEquals(BUS_VIRTUAL, ids.getShort(8));
        assertEquals(0x0627, ids.getShort(10));
        assertEquals(1, ids.getShort(12)); // QEMU's keyboard product
        ByteBuffer tabletIds = select(tablet, CFG_ID_DEVIDS, 0);
        assertEquals(3, tabletIds.getShort(12));
        assertEquals(2, tabletIds.getShort(14)); // the tablet with a wheel axis
        assertEquals(0, size(select(keyboard, CFG_PROP_BITS, 0)));
    }

    @Test
    void keyboardOffersKeysRepeatAndThreeLeds() {
        ByteBuffer keys = select(keyboard, CFG_EV_BITS, EV_KEY);
        assertEquals(226 / 8 + 1, size(keys)); // up to KEY_MEDIA
        assertTrue(bit(keys, 30) && bit(keys, KEY_CAPSLOCK) && bit(keys, 1) && bit(keys, 125));
        assertFalse(bit(keys, 0) || bit(keys, 84));
        assertEquals(1, size(select(keyboard, CFG_EV_BITS, EV_REP)));
        ByteBuffer leds = select(keyboard, CFG_EV_BITS, EV_LED);
        assertEquals(1, size(leds));
        assertEquals(0b111, leds.get(ConfigSpace.PAYLOAD));
        assertEquals(0, size(select(keyboard, CFG_EV_BITS, EV_ABS)));
        assertEquals(0, size(select(keyboard, CFG_ABS_INFO, ABS_X)));
    }

    @Test
    void tabletOffersAbsoluteXyButtonsAndWheel() {
        ByteBuffer abs = select(tablet, CFG_EV_BITS, EV_ABS);
        assertEquals(1, size(abs));
        assertEquals(0b11, abs.get(ConfigSpace.PAYLOAD));
        for (int axis : new int[] {ABS_X, ABS_Y}) {
            ByteBuffer info = select(tablet, CFG_ABS_INFO, axis);
            assertEquals(20, size(info));
            assertEquals(0, info.getInt(8));
            assertEquals(32767, info.getInt(12));
            assertEquals(0, info.getInt(16) | info.getInt(20) | info.getInt(24)); // fuzz, flat, res
        }
        assertEquals(0, size(select(tablet, CFG_ABS_INFO, 2)));
        ByteBuffer keys = select(tablet, CFG_EV_BITS, EV_KEY);
        assertTrue(bit(keys, BTN_LEFT) && bit(keys, BTN_RIGHT) && bit(keys, BTN_MIDDLE));
        assertFalse(bit(keys, 30));
        ByteBuffer rel = select(tablet, CFG_EV_BITS, EV_REL);
        assertEquals(2, size(rel));
        assertTrue(bit(rel, REL_WHEEL));
        assertFalse(bit(rel, 0));
        assertEquals(0, size(select(tablet, CFG_EV_BITS, EV_LED)));
    }

    /** Hostile: unknown select or subsel is size 0 with a zeroed union (nothing of the previous answer left), counted. */
    @Test
    void badSelectOrSubselIsAnsweredWithSizeZero() {
        select(keyboard, CFG_ID_NAME, 0);
        long before = keyboard.unanswered();
        int[][] bad = {{0x55, 0}, {0xff, 0xff}, {CFG_ID_NAME, 1}, {CFG_ID_DEVIDS, 7}, {CFG_EV_BITS, 0xff}, {CFG_EV_BITS, 0x1f}, {CFG_ABS_INFO, 0x80}};
        for (int[] s : bad) {
            ByteBuffer space = select(keyboard, s[0], s[1]);
            assertEquals(0, size(space), "select " + s[0] + " subsel " + s[1]);
            for (int i = ConfigSpace.PAYLOAD; i < ConfigSpace.LENGTH; i++) {
                assertEquals(0, space.get(i), "union byte " + i);
            }
            assertEquals(s[0], space.get(ConfigSpace.SELECT) & 0xff);
        }
        assertTrue(keyboard.unanswered() - before >= bad.length);
    }

    /** Hostile: size, the reserved bytes and the union are read-only; writes are ignored, counted, and reads past the end are 0. */
    @Test
    void writesOutsideSelectAndSubselAreIgnored() {
        ByteBuffer before = select(keyboard, CFG_ID_NAME, 0);
        byte[] junk = new byte[200];
        java.util.Arrays.fill(junk, (byte) 0x5a);
        keyboard.write(ConfigSpace.SIZE, ByteBuffer.wrap(junk, 0, 134));
        keyboard.write(500, ByteBuffer.wrap(junk));
        keyboard.write(-4, ByteBuffer.wrap(junk, 0, 4));
        ByteBuffer after = ByteBuffer.allocate(ConfigSpace.LENGTH);
        keyboard.read(0, after);
        assertArrayEquals(before.array(), after.array());
        assertEquals(134 + 200 + 4, keyboard.readOnlyWrites());
        ByteBuffer past = ByteBuffer.allocate(16);
        keyboard.read(ConfigSpace.LENGTH - 4, past);
        for (int i = 4; i < 16; i++) {
            assertEquals(0, past.get(i));
        }
    }

    /** One 2-byte write sets select and subsel together (a driver may write a le16). */
    @Test
    void oneWriteCanSetSelectAndSubsel() {
        keyboard.write(0, ByteBuffer.wrap(new byte[] {(byte) CFG_EV_BITS, (byte) EV_LED}));
        ByteBuffer space = ByteBuffer.allocate(ConfigSpace.LENGTH);
        keyboard.read(0, space);
        assertEquals(1, size(space));
        assertEquals(0b111, space.get(ConfigSpace.PAYLOAD));
        assertEquals(0, keyboard.readOnlyWrites());
    }
}
