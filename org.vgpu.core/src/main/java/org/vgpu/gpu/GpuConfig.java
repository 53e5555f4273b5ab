package org.vgpu.gpu;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * ConfigAdmin schema of a GPU device (factory PID "org.vgpu.gpu"). Property keys follow DS name
 * mapping: vgpu.device.name, num.scanouts, width, height, host.memory.quota.mib.
 */
@ObjectClassDefinition(pid = "org.vgpu.gpu", name = "vgpu virtio-gpu device",
        description = "A virtio-gpu 2D device served to a VMM by any vgpu transport.")
public @interface GpuConfig {

    @AttributeDefinition(name = "Device name", description = "Unique instance name; also the vgpu.device.name service property.")
    String vgpu_device_name() default "gpu1";

    @AttributeDefinition(name = "Scanouts", description = "Number of displays (heads).", min = "1", max = "16")
    int num_scanouts() default 1;

    @AttributeDefinition(name = "Preferred width", description = "Preferred mode width in pixels (EDID and display info).", min = "16", max = "4095")
    int width() default 1280;

    @AttributeDefinition(name = "Preferred height", description = "Preferred mode height in pixels.", min = "16", max = "4095")
    int height() default 800;

    @AttributeDefinition(name = "Host memory quota (MiB)", description = "Host memory the guest may make this device allocate for resources.", min = "0")
    int host_memory_quota_mib() default 256;

    @AttributeDefinition(name = "Cross-domain context", description = "Offer the cross-domain context type (capset 5; with it VIRGL + CONTEXT_INIT): "
            + "guests allocate HOST3D blobs that a hostmem backend holds and MAP_BLOB maps into the host-visible region. "
            + "Needs a transport with that region (the micro-VM). Off: a 2D device, as QEMU's vhost-user-gpu expects.")
    boolean cross_domain() default false;

    @AttributeDefinition(name = "Wayland compositor socket", description = "The host compositor's socket that the cross-domain context's "
            + "Wayland channels connect to (each guest channel its own connection; no guest value names another). "
            + "Empty: $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY of the vgpu process. Channels are offered only while it is a socket.")
    String wayland_socket() default "";
}
