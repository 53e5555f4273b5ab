package org.vgpu.display.vnc;

/** A client broke the protocol (or asked for what this server does not do): that client is disconnected. */
final class RfbException extends Exception {
    private static final long serialVersionUID = 1L;

    RfbException(String message) {
        super(message);
    }
}
