package org.vgpu.mmio;

import org.vgpu.virtio.api.Interrupt;

/**
 * The interrupt an activation hands its device, cut off when the driver resets: a device thread
 * still holding an old activation (e.g. a display hot-plug) must not raise interrupts into the
 * driver's next session.
 */
final class RevocableInterrupt implements Interrupt {
    private final Interrupt target;
    private volatile boolean revoked;

    RevocableInterrupt(Interrupt target) {
        this.target = target;
    }

    @Override
    public void signalQueue(int queueIndex) {
        if (!revoked) {
            target.signalQueue(queueIndex);
        }
    }

    @Override
    public void signalConfig() {
        if (!revoked) {
            target.signalConfig();
        }
    }

    void revoke() {
        revoked = true;
    }

    boolean isRevoked() {
        return revoked;
    }
}
