package org.vgpu.gpu.crossdomain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

import org.vgpu.virtio.sys.NativeException;
import org.vgpu.virtio.sys.UnixSocket;

/**
 * Where a device's Wayland channels connect: its {@code wayland.socket} setting, else
 * $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY of this process (a WAYLAND_DISPLAY that is absolute is the
 * path itself, as libwayland reads it). Only this path is ever connected: no guest value names one.
 */
final class CompositorSocket {
    static final String SETTING = "wayland.socket";
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private CompositorSocket() {
    }

    /** The socket path from the setting and the environment, or null if neither names one. */
    static Path resolve(String setting, Map<String, String> env) {
        if (setting != null && !setting.isBlank()) {
            return Path.of(setting.trim());
        }
        String display = env.get("WAYLAND_DISPLAY");
        if (display == null || display.isBlank()) {
            return null;
        }
        if (display.startsWith("/")) {
            return Path.of(display);
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        return runtime == null || runtime.isBlank() ? null : Path.of(runtime, display);
    }

    static Path resolve(String setting) {
        return resolve(setting, System.getenv());
    }

    /**
     * Whether channels can be offered: the path is a socket and a compositor accepts on it (an
     * AF_UNIX connect answers at once: connected, or refused when nobody listens on a stale
     * socket file). The probe connection is closed at once.
     */
    static boolean connectable(Path path) {
        if (path == null) {
            return false;
        }
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (!(mode instanceof Integer m) || (m & S_IFMT) != S_IFSOCK) {
                return false;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return false;
        }
        try (UnixSocket probe = UnixSocket.connect(path)) {
            return true;
        } catch (NativeException | IllegalArgumentException e) {
            return false;
        }
    }
}
