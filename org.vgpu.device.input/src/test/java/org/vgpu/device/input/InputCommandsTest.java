package org.vgpu.device.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vgpu.input.spi.InputTarget;

/** vgpu:input turns its words into InputTarget calls. */
class InputCommandsTest {
    private final List<String> calls = new ArrayList<>();
    private final InputCommands commands = new InputCommands(new PrintStream(new ByteArrayOutputStream()));

    InputCommandsTest() {
        commands.addTarget(new InputTarget() {
            @Override public String name() { return "kb"; }
            @Override public Kind kind() { return Kind.KEYBOARD; }
            @Override public String display() { return "gpu0"; }
            @Override public void key(int code, boolean pressed) { calls.add("key " + code + " " + pressed); }
            @Override public void button(int code, boolean pressed) { calls.add("button " + code + " " + pressed); }
            @Override public void pointer(int x, int y, int w, int h) { calls.add("pointer " + x + " " + y + " " + w + " " + h); }
            @Override public void wheel(int steps) { calls.add("wheel " + steps); }
        });
    }

    @Test
    void keysByNameOrCode() {
        commands.input("kb", "key", "a");
        commands.input("kb", "key", "KEY_1", "press");
        commands.input("kb", "key", "30", "release");
        commands.input("kb", "key", "capslock");
        assertEquals(List.of("key 30 true", "key 30 false", "key 2 true", "key 30 false", "key 58 true", "key 58 false"), calls);
    }

    @Test
    void pointerButtonsAndWheel() {
        commands.input("kb", "move", "10", "20");
        commands.input("kb", "move", "10", "20", "640", "480");
        commands.input("kb", "click");
        commands.input("kb", "click", "right", "press");
        commands.input("kb", "wheel", "-3");
        assertEquals(List.of("pointer 10 20 1280 800", "pointer 10 20 640 480", "button 272 true", "button 272 false",
                "button 273 true", "wheel -3"), calls);
    }

    @Test
    void badWordsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> commands.input("nope", "key", "a"));
        assertThrows(IllegalArgumentException.class, () -> commands.input("kb", "key", "nosuchkey"));
        assertThrows(IllegalArgumentException.class, () -> commands.input("kb", "key", "a", "twice"));
        assertThrows(IllegalArgumentException.class, () -> commands.input("kb", "move", "1"));
        assertThrows(IllegalArgumentException.class, () -> commands.input("kb", "move", "1", "2", "0", "5"));
        assertThrows(IllegalArgumentException.class, () -> commands.input("kb", "click", "side"));
        assertThrows(IllegalArgumentException.class, () -> commands.input("kb", "jump"));
        assertEquals(List.of(), calls);
    }
}
