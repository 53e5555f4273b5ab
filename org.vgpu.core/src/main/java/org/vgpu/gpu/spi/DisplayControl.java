package org.vgpu.gpu.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a display may ask of the device it shows, handed to each {@link DisplaySink} by the
 * device: e.g. QEMU's display reports the size of its outputs (vhost-user-gpu GET_DISPLAY_INFO)
 * and their EDID (GET_EDID).
 */
@ProviderType
public interface DisplayControl {

    /**
     * The display prefers this mode on a scanout. The device clamps it to what it supports and,
     * if it changed, tells the driver (EVENT_DISPLAY), which then re-reads display info and EDID.
     */
    void requestMode(int scanoutId, int width, int height);

    /**
     * The display's own EDID for a scanout (e.g. QEMU's, from vhost-user-gpu GET_EDID): the guest
     * is given it instead of one the device builds. The device checks it (128 to 1024 bytes, whole
     * 128-byte blocks, the EDID header, block 0's checksum) and ignores it otherwise; it tells the
     * driver if it changed. The array is copied.
     */
    default void displayEdid(int scanoutId, byte[] edid) {
    }
}
