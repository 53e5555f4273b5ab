package org.vgpu.virtio.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optional on a {@link VirtioDevice} service object: one line of device-specific state for the
 * shell's vgpu:devices (an input device's kind, pending and dropped events, LEDs). Devices without
 * it show only the generic columns.
 */
@ConsumerType
public interface DeviceSummary {

    /** Short, single-line, safe to call from any thread at any time. */
    String summary();
}
