package org.vgpu.display.vnc;

/**
 * One VNC server's settings, checked: where it listens, the scanout it shows, the password (empty:
 * no authentication), the bounds on clients and on ClientCutText, and the pixel encodings it may use,
 * in the server's order of preference among those the client lists (raw is always possible).
 */
record VncSettings(ListenAddress listen, String device, int scanout, String password, int maxClients, int maxCutText,
        int[] encodings, int handshakeTimeoutMillis) {

    static final int MAX_CLIENTS_LIMIT = 64;

    VncSettings {
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("VNC device name is empty");
        }
        if (scanout < 0 || scanout > 15) {
            throw new IllegalArgumentException("VNC scanout id " + scanout + " is not 0..15");
        }
        if (maxClients < 1 || maxClients > MAX_CLIENTS_LIMIT) {
            throw new IllegalArgumentException("VNC max clients " + maxClients + " is not 1.." + MAX_CLIENTS_LIMIT);
        }
        if (maxCutText < 0) {
            throw new IllegalArgumentException("VNC max cut text " + maxCutText + " is negative");
        }
        if (password == null) {
            password = "";
        }
        encodings = encodings.clone();
    }

    static VncSettings of(String listen, String device, int scanout, String password, int maxClients, int maxCutText, String[] encodings) {
        int[] e = new int[encodings.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = Encodings.byName(encodings[i]);
        }
        return new VncSettings(ListenAddress.parse(listen), device, scanout, password, maxClients, maxCutText, e, 10_000);
    }

    boolean authenticates() {
        return !password.isEmpty();
    }
}
