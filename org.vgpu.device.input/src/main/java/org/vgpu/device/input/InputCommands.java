package org.vgpu.device.input;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vgpu.input.spi.InputTarget;

/**
 * vgpu:input DEVICE key CODE|NAME [press|release] | move X Y [W H] | click [left|right|middle] |
 * wheel N: host input into any {@link InputTarget}, as a VNC client would send it. A key or click
 * without press/release is a press and a release.
 */
@Component(service = InputCommands.class, property = {"osgi.command.scope=vgpu", "osgi.command.function=input"})
public final class InputCommands {
    /** The GPU's default mode: what move's X Y are on when no W H is given. */
    static final int DEFAULT_WIDTH = 1280;
    static final int DEFAULT_HEIGHT = 800;
    private static final Map<String, Integer> BUTTONS = Map.of("left", Evdev.BTN_LEFT, "right", Evdev.BTN_RIGHT, "middle", Evdev.BTN_MIDDLE);

    private final Map<String, InputTarget> targets = new ConcurrentHashMap<>();
    private final PrintStream out;

    public InputCommands() {
        this(System.out);
    }

    InputCommands(PrintStream out) {
        this.out = out;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTarget(InputTarget target) {
        targets.put(target.name(), target);
    }

    void removeTarget(InputTarget target) {
        targets.remove(target.name(), target);
    }

    @Descriptor("send host input to an input device: key CODE|NAME [press|release], move X Y [W H], click [left|right|middle], wheel N")
    public void input(@Descriptor("input device, e.g. keyboard0") String device, @Descriptor("key, move, click or wheel") String action,
            @Descriptor("the action's arguments") String... args) {
        InputTarget t = targets.get(device);
        if (t == null) {
            throw new IllegalArgumentException("no input device " + device + " (have " + String.join(", ", new java.util.TreeSet<>(targets.keySet())) + ")");
        }
        switch (action.toLowerCase(Locale.ROOT)) {
            case "key" -> key(t, args);
            case "move" -> move(t, args);
            case "click" -> click(t, args);
            case "wheel" -> {
                expect(args, 1, 1, "wheel N");
                t.wheel(number(args[0]));
                out.println(device + ": wheel " + args[0]);
            }
            default -> throw new IllegalArgumentException("unknown action " + action + ": key, move, click or wheel");
        }
    }

    private void key(InputTarget t, String[] args) {
        expect(args, 1, 2, "key CODE|NAME [press|release]");
        int code = KeyNames.code(args[0]);
        if (code < 0) {
            throw new IllegalArgumentException("unknown key " + args[0]);
        }
        press(t, args.length > 1 ? args[1] : null, down -> t.key(code, down));
        out.println(t.name() + ": key " + code + (args.length > 1 ? " " + args[1] : " press+release"));
    }

    private void move(InputTarget t, String[] args) {
        if (args.length != 2 && args.length != 4) {
            throw new IllegalArgumentException("usage: move X Y [W H]");
        }
        int w = args.length == 4 ? number(args[2]) : DEFAULT_WIDTH;
        int h = args.length == 4 ? number(args[3]) : DEFAULT_HEIGHT;
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException("W and H must be positive");
        }
        t.pointer(number(args[0]), number(args[1]), w, h);
        out.println(t.name() + ": pointer " + args[0] + "," + args[1] + " on " + w + "x" + h);
    }

    private void click(InputTarget t, String[] args) {
        expect(args, 0, 2, "click [left|right|middle] [press|release]");
        String name = args.length > 0 ? args[0].toLowerCase(Locale.ROOT) : "left";
        Integer code = BUTTONS.get(name);
        if (code == null) {
            throw new IllegalArgumentException("unknown button " + name + ": left, right or middle");
        }
        press(t, args.length > 1 ? args[1] : null, down -> t.button(code, down));
        out.println(t.name() + ": button " + name);
    }

    /** press, release, or (null) both. */
    private static void press(InputTarget t, String how, java.util.function.Consumer<Boolean> send) {
        if (how == null) {
            send.accept(true);
            send.accept(false);
        } else if (how.equalsIgnoreCase("press")) {
            send.accept(true);
        } else if (how.equalsIgnoreCase("release")) {
            send.accept(false);
        } else {
            throw new IllegalArgumentException("press or release, not " + how);
        }
    }

    private static void expect(String[] args, int min, int max, String usage) {
        if (args.length < min || args.length > max) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    private static int number(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + s);
        }
    }
}
