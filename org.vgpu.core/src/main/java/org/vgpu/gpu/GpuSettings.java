package org.vgpu.gpu;

import org.vgpu.gpu.protocol.Protocol;

/**
 * A device's configuration, already clamped to what the protocol can express: 1..16 scanouts and
 * a preferred mode of 16..4095 pixels per side (the EDID detailed timing holds 12 bits).
 */
public record GpuSettings(String name, int numScanouts, int width, int height, long quotaBytes, boolean crossDomain,
        String waylandSocket) {

    /** The device setting naming the host compositor's socket for cross-domain Wayland channels. */
    public static final String WAYLAND_SOCKET = "wayland.socket";

    public static final int MIN_SIDE = 16;
    public static final int MAX_SIDE = 4095;

    public GpuSettings {
        numScanouts = clamp(numScanouts, 1, Protocol.MAX_SCANOUTS);
        width = clamp(width, MIN_SIDE, MAX_SIDE);
        height = clamp(height, MIN_SIDE, MAX_SIDE);
        quotaBytes = Math.max(0, quotaBytes);
        waylandSocket = waylandSocket == null ? "" : waylandSocket.trim();
    }

    public GpuSettings(String name, int numScanouts, int width, int height, long quotaBytes, boolean crossDomain) {
        this(name, numScanouts, width, height, quotaBytes, crossDomain, "");
    }

    /** Without contexts: a 2D device (VIRGL and CONTEXT_INIT not offered). */
    public GpuSettings(String name, int numScanouts, int width, int height, long quotaBytes) {
        this(name, numScanouts, width, height, quotaBytes, false);
    }

    public GpuSettings withCrossDomain(boolean enabled) {
        return new GpuSettings(name, numScanouts, width, height, quotaBytes, enabled, waylandSocket);
    }

    /** The compositor socket cross-domain Wayland channels connect to ("" = $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY). */
    public GpuSettings withWaylandSocket(String path) {
        return new GpuSettings(name, numScanouts, width, height, quotaBytes, crossDomain, path);
    }

    /** The settings context types read ({@link org.vgpu.gpu.context.DeviceSettings}); null for an unknown key. */
    public String setting(String key) {
        return WAYLAND_SOCKET.equals(key) ? waylandSocket : null;
    }

    public static GpuSettings defaults(String name) {
        return new GpuSettings(name, 1, 1280, 800, 256L << 20);
    }

    public static GpuSettings from(GpuConfig config) {
        return new GpuSettings(config.vgpu_device_name(), config.num_scanouts(), config.width(), config.height(),
                (long) Math.max(0, config.host_memory_quota_mib()) << 20, config.cross_domain(), config.wayland_socket());
    }

    private static int clamp(int v, int min, int max) {
        return Math.max(min, Math.min(max, v));
    }
}
