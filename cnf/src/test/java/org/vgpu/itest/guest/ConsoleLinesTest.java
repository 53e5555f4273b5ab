package org.vgpu.itest.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The console protocol's framing: cut and interleaved marker lines, as a serial log shows them mid-write. */
class ConsoleLinesTest {

    @Test
    void aLineWithoutItsNewlineIsNotYetALine() {
        assertEquals(List.of("VGPU-INIT 6.12", "VGPU-READY"), ConsoleLines.complete("VGPU-INIT 6.12\r\nVGPU-READY\nVGPU-IMAGE-DONE 1"));
        // The cut that failed UdmabufGuestIT once: "VGPU-IMAGE-DONE 1" with the rest not yet written.
        assertTrue(ConsoleLines.find("VGPU-READY\nVGPU-IMAGE-DONE 1", ConsoleLines.IMAGE_DONE).isEmpty());
        var done = ConsoleLines.find("VGPU-READY\nVGPU-IMAGE-DONE 1280x800\r\n", ConsoleLines.IMAGE_DONE).orElseThrow();
        assertEquals("1280", done.group(1));
        assertEquals(new ConsoleLines.ImageDone(1280, 800, false), ConsoleLines.ImageDone.of(done.line()));
    }

    @Test
    void aKernelMessageWrittenIntoAMarkerIsTakenOutAgain() {
        String log = "VGPU-IMAGE-DONE 12[    3.100000] random: crng init done\n80x800\n";
        assertEquals(List.of("[    3.100000] random: crng init done", "VGPU-IMAGE-DONE 1280x800"), ConsoleLines.complete(log));
        assertEquals("1280", ConsoleLines.find(log, ConsoleLines.IMAGE_DONE).orElseThrow().group(1));
        // The line that failed MicroVmInputIT's benchmark: the kernel's message just before the line's own newline.
        assertEquals(List.of("[   42.404561] hrtimer: interrupt took 10612496 ns", "VGPU-EV k KEY 48 1", "VGPU-EV k KEY 46 1"),
                ConsoleLines.complete("VGPU-EV k KEY 48 1[   42.404561] hrtimer: interrupt took 10612496 ns\r\n\r\nVGPU-EV k KEY 46 1\r\n"));
        // Two messages in a row, then the rest of the line.
        assertEquals(List.of("[    1.0] a", "[    2.0] b", "VGPU-READY"), ConsoleLines.complete("VGPU-[    1.0] a\n[    2.0] b\nREADY\n"));
        // The rest has not arrived: not a line yet.
        assertEquals(List.of("[    1.0] a"), ConsoleLines.complete("VGPU-[    1.0] a\nREA"));
    }

    @Test
    void aMarkerBrokenOtherwiseIsNotAMatchAndIsReported() {
        String log = "VGPU-IMAGE-DONE 12\n80x800\n";
        assertTrue(ConsoleLines.find(log, ConsoleLines.IMAGE_DONE).isEmpty());
        assertEquals(List.of("VGPU-IMAGE-DONE 12"), ConsoleLines.broken(log, "VGPU-", ConsoleLines.IMAGE_DONE));
        AssertionError e = assertThrows(AssertionError.class, () -> ConsoleLines.ImageDone.of("VGPU-IMAGE-DONE 12"));
        assertTrue(e.getMessage().contains("not a whole VGPU-IMAGE-DONE"), e.getMessage());
    }

    @Test
    void kernelOutputBeforeAWholeMarkerOnTheSameLineStillMatches() {
        var done = ConsoleLines.find("[    4.2] fbcon: x VGPU-IMAGE-DONE 640x480 inverted\n", ConsoleLines.IMAGE_DONE_INVERTED);
        assertTrue(done.isPresent());
        assertEquals(new ConsoleLines.ImageDone(640, 480, true), ConsoleLines.ImageDone.of(done.get().line()));
        assertFalse(ConsoleLines.find("VGPU-IMAGE-DONE 640x480\n", ConsoleLines.IMAGE_DONE_INVERTED).isPresent());
    }

    @Test
    void inputEventsAreEachDevicesWholeEventLinesInOrder() {
        String log = "VGPU-INPUT-DEVICE event0 vgpu tablet tablet0\n"
                + "VGPU-EV vgpu tablet tablet0 ABS 0 16383\r\n"
                + "VGPU-EV vgpu keyboard keyboard0 KEY 30 1\n"
                + "VGPU-EV vgpu tablet tablet0 REL 8 -[    7.5] hrtimer: interrupt took 1 ns\n2\n"
                + "VGPU-EV vgpu tablet tablet0 SYN 0 0\n" // not an event type vgpu-input prints
                + "VGPU-EV vgpu keyboard keyboard0 KEY 30 0\n"
                + "VGPU-EV vgpu tablet tablet0 KEY 27"; // cut: not a line yet
        List<String> events = ConsoleLines.inputEvents(log);
        assertEquals(List.of("vgpu tablet tablet0: ABS 0 16383", "vgpu keyboard keyboard0: KEY 30 1", "vgpu tablet tablet0: REL 8 -2",
                "vgpu keyboard keyboard0: KEY 30 0"), events);
        assertEquals(List.of("ABS 0 16383", "REL 8 -2"), ConsoleLines.inputEventsOf("vgpu tablet tablet0", events));
        assertEquals(List.of("KEY 30 1", "KEY 30 0"), ConsoleLines.inputEventsOf("vgpu keyboard keyboard0", events));
        assertEquals(List.of(), ConsoleLines.inputEventsOf("vgpu tablet", events), "a device whose name only starts another's has none");
    }
}
