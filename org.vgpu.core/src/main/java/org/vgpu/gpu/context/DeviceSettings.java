package org.vgpu.gpu.context;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The settings of one GPU device (its ConfigAdmin configuration, factory PID org.vgpu.gpu) that
 * context types read, e.g. {@code wayland.socket} for the cross-domain context's compositor.
 */
@ProviderType
public interface DeviceSettings {

    /** The value of a device setting by its configuration key, or null if the device has none. */
    String setting(String key);
}
