package org.vgpu.gpu.spi;

/** A backend's answer to "can you hold this resource?": yes or no, and why (shown by vgpu:resource). */
public record Probe(boolean accepts, String reason) {

    public static Probe accept(String reason) {
        return new Probe(true, reason);
    }

    public static Probe decline(String reason) {
        return new Probe(false, reason);
    }
}
