package org.vgpu.gpu.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a display may ask of the device it shows, handed to each {@link DisplaySink} by the
 * device: e.g. QEMU's display reports the size of its outputs (vhost-user-gpu GET_DISPLAY_INFO).
 */
@ProviderType
public interface DisplayControl {

    /**
     * The display prefers this mode on a scanout. The device clamps it to what it supports and,
     * if it changed, tells the driver (EVENT_DISPLAY), which then re-reads display info and EDID.
     */
    void requestMode(int scanoutId, int width, int height);
}
