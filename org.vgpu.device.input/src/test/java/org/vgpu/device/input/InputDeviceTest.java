package org.vgpu.device.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.device.input.Evdev.*;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vgpu.input.spi.InputTarget.Kind;

/** The device against a driver played in fake guest memory: events out, status in, and every hostile case. */
class InputDeviceTest {
    private GuestDriver guest;
    private InputDevice keyboard;
    private InputDevice tablet;

    @BeforeEach
    void setUp() throws Exception {
        guest = new GuestDriver();
        keyboard = new InputDevice("keyboard0", Kind.KEYBOARD, "kbd", "gpu0", 8);
        tablet = new InputDevice("tablet0", Kind.TABLET, "tab", "gpu0", 8);
    }

    private void buffers(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            guest.give(0, 8, true);
        }
    }

    @Test
    void aKeyPressIsOneEventAndSynWithAnInterrupt() throws Exception {
        keyboard.activate(guest.activation());
        buffers(4);
        keyboard.key(30, true);
        keyboard.key(30, false);
        assertEquals(List.of("1:30:1", "0:0:0", "1:30:0", "0:0:0"), guest.takeEvents());
        assertTrue(guest.interrupts[0] > 0);
        assertEquals(4, keyboard.counters().delivered());
    }

    @Test
    void eventsWithoutBuffersAreHeldUntilTheGuestGivesSome() throws Exception {
        keyboard.activate(guest.activation());
        keyboard.key(KEY_CAPSLOCK, true);
        keyboard.key(KEY_CAPSLOCK, false);
        assertEquals(4, keyboard.counters().pending());
        assertEquals(List.of(), guest.takeEvents());
        buffers(3);
        keyboard.processQueue(InputDevice.EVENT_QUEUE); // the driver's kick
        assertEquals(List.of("1:58:1", "0:0:0", "1:58:0"), guest.takeEvents());
        buffers(1);
        keyboard.processQueue(InputDevice.EVENT_QUEUE);
        assertEquals(List.of("0:0:0"), guest.takeEvents());
        assertEquals(0, keyboard.counters().pending());
    }

    /** The held ring is bounded: the oldest whole groups go first, counted. */
    @Test
    void aFullRingDropsTheOldestGroups() throws Exception {
        keyboard.activate(guest.activation());
        for (int code = 16; code < 26; code++) { // 10 presses, 20 events, room for 8
            keyboard.key(code, true);
        }
        InputDevice.Counters c = keyboard.counters();
        assertEquals(8, c.pending());
        assertEquals(12, c.dropped());
        buffers(8);
        keyboard.processQueue(InputDevice.EVENT_QUEUE);
        assertEquals(List.of("1:22:1", "0:0:0", "1:23:1", "0:0:0", "1:24:1", "0:0:0", "1:25:1", "0:0:0"), guest.takeEvents());
    }

    @Test
    void withoutADriverEventsAreDroppedNotReplayedLater() throws Exception {
        keyboard.key(30, true);
        assertEquals(2, keyboard.counters().dropped());
        keyboard.activate(guest.activation());
        buffers(2);
        keyboard.processQueue(InputDevice.EVENT_QUEUE);
        assertEquals(List.of(), guest.takeEvents());
    }

    @Test
    void tabletScalesPixelsToItsAxisAsQemuDoes() throws Exception {
        tablet.activate(guest.activation());
        buffers(8);
        tablet.pointer(640, 400, 1280, 800);
        tablet.pointer(-5, 5000, 1280, 800); // off the scanout: clamped to its edges
        assertEquals(List.of("3:0:16383", "3:1:16383", "0:0:0", "3:0:0", "3:1:" + 32767 * 799 / 800, "0:0:0"), guest.takeEvents());
        tablet.pointer(1, 1, 0, 800); // no scanout size: nothing
        tablet.key(30, true); // a tablet has no keys
        assertEquals(2, tablet.counters().ignored());
        assertEquals(0, tablet.counters().pending());
    }

    @Test
    void tabletButtonsAndWheel() throws Exception {
        tablet.activate(guest.activation());
        buffers(8);
        tablet.button(BTN_LEFT, true);
        tablet.button(BTN_LEFT, false);
        tablet.wheel(-2);
        keyboard.button(BTN_LEFT, true); // a keyboard has no buttons
        assertEquals(List.of("1:272:1", "0:0:0", "1:272:0", "0:0:0", "2:8:-2", "0:0:0"), guest.takeEvents());
        assertEquals(1, keyboard.counters().ignored());
    }

    @Test
    void anEventMaySpanTwoDescriptors() throws Exception {
        keyboard.activate(guest.activation());
        guest.giveSplit(3, 5);
        guest.give(0, 8, true);
        keyboard.key(30, true);
        List<int[]> used = guest.takeUsed(0);
        assertEquals(2, used.size());
        assertEquals(8, used.get(0)[1]);
        long at = GuestDriver.buffer(0, used.get(0)[0]);
        assertEquals(1, guest.memory.readShort(at) & 0xffff); // type EV_KEY split 2+1 ...
        assertEquals(30, (guest.memory.readByte(at + 2) & 0xff) | (guest.memory.readByte(GuestDriver.buffer(0, 1)) & 0xff) << 8);
    }

    /** Hostile: an event buffer shorter than an event, or device-readable, is used with 0 bytes and counted; the event waits. */
    @Test
    void undersizedAndReadOnlyEventBuffersAreReturnedEmpty() throws Exception {
        keyboard.activate(guest.activation());
        int shortHead = guest.give(0, 7, true);
        int readOnly = guest.give(0, 8, false);
        int empty = guest.give(0, 0, true);
        keyboard.key(30, true);
        List<int[]> used = guest.takeUsed(0);
        assertEquals(3, used.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(new int[] {shortHead, readOnly, empty}[i], used.get(i)[0]);
            assertEquals(0, used.get(i)[1]);
        }
        assertEquals(3, keyboard.counters().shortBuffers());
        assertEquals(2, keyboard.counters().pending());
        assertEquals(0, guest.memory.readLong(GuestDriver.buffer(0, readOnly))); // nothing written into a readable buffer
        buffers(2);
        keyboard.processQueue(InputDevice.EVENT_QUEUE);
        assertEquals(List.of("1:30:1", "0:0:0"), guest.takeEvents());
        assertTrue(guest.resets.isEmpty());
    }

    @Test
    void theGuestsLedWritesAreKept() throws Exception {
        keyboard.activate(guest.activation());
        guest.status(EV_LED, LED_CAPSL, 1);
        guest.status(EV_LED, LED_NUML, 1);
        keyboard.processQueue(InputDevice.STATUS_QUEUE);
        assertTrue(keyboard.ledOn(LED_CAPSL) && keyboard.ledOn(LED_NUML));
        assertEquals("num,caps", keyboard.counters().leds());
        guest.status(EV_LED, LED_NUML, 0);
        guest.status(EV_REP, 0, 250); // the guest's repeat delay: fine, nothing to do
        keyboard.processQueue(InputDevice.STATUS_QUEUE);
        assertEquals("caps", keyboard.counters().leds());
        List<int[]> used = guest.takeUsed(1);
        assertEquals(4, used.size());
        used.forEach(u -> assertEquals(0, u[1]));
        assertEquals(0, keyboard.counters().badStatus());
        assertTrue(keyboard.summary().contains("LEDs caps"), keyboard.summary());
    }

    /** Hostile: status entries of the wrong type, code, length or direction are dropped and counted, each still used. */
    @Test
    void badStatusEntriesAreDroppedAndCounted() throws Exception {
        keyboard.activate(guest.activation());
        guest.status(EV_KEY, 30, 1);     // not a status type
        guest.status(EV_LED, 7, 1);      // an LED the keyboard does not have
        guest.give(1, 4, false);         // too short
        guest.give(1, 16, false);        // too long
        guest.give(1, 8, true);          // device-writable
        keyboard.processQueue(InputDevice.STATUS_QUEUE);
        assertEquals(5, keyboard.counters().badStatus());
        assertEquals(5, guest.takeUsed(1).size());
        assertEquals("none", keyboard.counters().leds());
        tablet.activate(guest.activation());
        guest.status(EV_LED, LED_CAPSL, 1); // a tablet has no LEDs
        tablet.processQueue(InputDevice.STATUS_QUEUE);
        assertEquals(1, tablet.counters().badStatus());
        assertTrue(guest.resets.isEmpty());
    }

    /** Hostile: an avail index too far ahead is a broken driver: needs-reset, no exception, no more queue use until reset. */
    @Test
    void aCorruptRingAsksForAResetAndStopsTheQueues() throws Exception {
        keyboard.activate(guest.activation());
        guest.setAvailIdx(0, 100);
        keyboard.key(30, true);
        assertEquals(1, guest.resets.size());
        assertEquals("broken", keyboard.counters().eventQueue());
        keyboard.key(30, false);
        assertEquals(1, guest.resets.size()); // not asked again: the queues are left alone
        keyboard.reset();
        assertEquals(0, keyboard.counters().pending());
        GuestDriver fresh = new GuestDriver();
        keyboard.activate(fresh.activation());
        fresh.give(0, 8, true);
        fresh.give(0, 8, true);
        keyboard.key(31, true);
        assertEquals(List.of("1:31:1", "0:0:0"), fresh.takeEvents());
    }

    @Test
    void aHeadOutOfRangeAsksForAReset() throws Exception {
        keyboard.activate(guest.activation());
        guest.publish(1, 200);
        keyboard.processQueue(InputDevice.STATUS_QUEUE);
        assertEquals(1, guest.resets.size());
        assertTrue(guest.resets.get(0).contains("head 200"), guest.resets.get(0));
    }

    @Test
    void aDescriptorOutsideGuestMemoryIsRejectedByTheQueue() throws Exception {
        keyboard.activate(guest.activation());
        guest.desc(0, 7, 1L << 40, 8, 2, 0);
        guest.publish(0, 7);
        guest.give(0, 8, true);
        keyboard.key(30, true);
        List<int[]> used = guest.takeUsed(0);
        assertEquals(7, used.get(0)[0]);
        assertEquals(0, used.get(0)[1]); // rejected by SplitQueue
        assertEquals(8, used.get(1)[1]);
        assertEquals(0, guest.memory.violations);
    }

    @Test
    void resetForgetsHeldEventsAndLeds() throws Exception {
        keyboard.activate(guest.activation());
        guest.status(EV_LED, LED_SCROLLL, 1);
        keyboard.processQueue(InputDevice.STATUS_QUEUE);
        keyboard.key(30, true);
        keyboard.reset();
        InputDevice.Counters c = keyboard.counters();
        assertEquals(0, c.pending());
        assertEquals("none", c.leds());
        assertEquals("no driver", c.eventQueue());
        assertFalse(keyboard.ledOn(LED_SCROLLL));
    }

    /** The hot path allocates nothing: 20000 key events through the held ring and the event queue. */
    @Test
    void noAllocationPerEvent() throws Exception {
        keyboard = new InputDevice("keyboard0", Kind.KEYBOARD, "kbd", "gpu0", 256);
        keyboard.activate(guest.activation());
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 2; round++) { // the first round warms up
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 5000; i++) {
                guest.give(0, 8, true);
                guest.give(0, 8, true);
                keyboard.key(30, (i & 1) == 0);
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                assertTrue(allocated < 4096, allocated + " bytes allocated for 10000 events");
            }
        }
        assertEquals(20000, keyboard.counters().delivered());
    }
}
