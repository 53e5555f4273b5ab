package org.vgpu.itest.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest-to-test console protocol, line-framed. A serial console log is written a byte at a
 * time while the test reads it, so its last line may be cut; and kernel messages may interleave
 * with a marker (they are taken out again, {@link #complete}). Only newline-terminated lines
 * count, and a marker is parsed by a pattern that the whole marker must match: a broken marker
 * line is never a match (the caller waits on or reports it), never an exception from an index.
 */
public final class ConsoleLines {
    /** "VGPU-IMAGE-DONE WxH [inverted]" of vgpu-fbtest and vgpu-hostblob. */
    public static final Pattern IMAGE_DONE = Pattern.compile("VGPU-IMAGE-DONE (\\d{1,5})x(\\d{1,5})( inverted)?\\s*$");
    /** The same marker for the inverted image. */
    public static final Pattern IMAGE_DONE_INVERTED = Pattern.compile("VGPU-IMAGE-DONE (\\d{1,5})x(\\d{1,5})( inverted)\\s*$");

    private ConsoleLines() {
    }

    /**
     * A kernel message's start, "[   42.404561] ": the kernel's console writes a whole message
     * (ending in a newline) between two pieces of a user program's line.
     */
    private static final Pattern KERNEL_MESSAGE = Pattern.compile("\\[\\s*\\d+\\.\\d+\\] ");

    /** One event line of vgpu-input (cnf/scripts/guest/vgpu-input.c). */
    private static final Pattern INPUT_EVENT = Pattern.compile("VGPU-EV (.+) (KEY|ABS|REL) (\\d+) (-?\\d+)\\s*$");

    /**
     * The complete lines of a log, without their line ends (a trailing '\r' of a serial line
     * included). A kernel message written into the middle of a line becomes a line of its own and
     * the line it cut is joined again ("KEY 48 1[  42.4] hrtimer: ...\n\n" is "[  42.4] hrtimer: ..."
     * and "KEY 48 1"); a cut line whose rest has not arrived is not complete yet.
     */
    public static List<String> complete(String log) {
        List<String> lines = new ArrayList<>();
        String cut = null; // the start of a line a kernel message was written into
        int start = 0;
        for (int nl = log.indexOf('\n'); nl >= 0; nl = log.indexOf('\n', start)) {
            int end = nl > start && log.charAt(nl - 1) == '\r' ? nl - 1 : nl;
            String physical = log.substring(start, end);
            start = nl + 1;
            Matcher kernel = KERNEL_MESSAGE.matcher(physical);
            if (cut != null && kernel.lookingAt()) {
                lines.add(physical); // one more kernel message before the cut line goes on
                continue;
            }
            String line = cut == null ? physical : cut + physical;
            cut = null;
            kernel = KERNEL_MESSAGE.matcher(line);
            if (kernel.find() && kernel.start() > 0) {
                cut = line.substring(0, kernel.start());
                lines.add(line.substring(kernel.start()));
            } else {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The first complete line in which pattern is found, with the match. */
    public static Optional<Match> find(String log, Pattern pattern) {
        for (String line : complete(log)) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return Optional.of(new Match(line, m.toMatchResult()));
            }
        }
        return Optional.empty();
    }

    /** Complete lines that contain the marker text but do not match its pattern: broken markers, for failure messages. */
    public static List<String> broken(String log, String marker, Pattern pattern) {
        return complete(log).stream().filter(l -> l.contains(marker) && !pattern.matcher(l).find()).toList();
    }

    /**
     * vgpu-input's "VGPU-EV NAME KEY|ABS|REL CODE VALUE" lines among a log's complete lines, in
     * order, as "NAME: TYPE CODE VALUE" (NAME is the device's name, spaces included).
     */
    public static List<String> inputEvents(String log) {
        return complete(log).stream().map(INPUT_EVENT::matcher).filter(Matcher::find)
                .map(m -> m.group(1) + ": " + m.group(2) + " " + m.group(3) + " " + m.group(4)).toList();
    }

    /** One device's events of {@link #inputEvents}, as "TYPE CODE VALUE". */
    public static List<String> inputEventsOf(String device, List<String> events) {
        String prefix = device + ": ";
        return events.stream().filter(e -> e.startsWith(prefix)).map(e -> e.substring(prefix.length())).toList();
    }

    /** A literal marker as a pattern (the marker text anywhere in a complete line). */
    public static Pattern literal(String marker) {
        return Pattern.compile(Pattern.quote(marker));
    }

    /** A marker line and its match. */
    public record Match(String line, MatchResult result) {
        public String group(int i) {
            return result.group(i);
        }
    }

    /** The size and orientation a guest reported with VGPU-IMAGE-DONE. */
    public record ImageDone(int width, int height, boolean inverted) {
        /** Parses a marker line; a line that is not a whole VGPU-IMAGE-DONE marker is a clear failure. */
        public static ImageDone of(String line) {
            Matcher m = IMAGE_DONE.matcher(line);
            if (!m.find()) {
                throw new AssertionError("not a whole VGPU-IMAGE-DONE WxH line: '" + line + "'");
            }
            return new ImageDone(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3) != null);
        }
    }
}
