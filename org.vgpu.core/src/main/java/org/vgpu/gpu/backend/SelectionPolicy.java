package org.vgpu.gpu.backend;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** ConfigAdmin schema of the backend selection policy (PID "org.vgpu.gpu.policy"). */
@ObjectClassDefinition(name = "vgpu backend selection policy",
        description = "Which resource backend holds each GPU resource.")
public @interface SelectionPolicy {
    String PID = "org.vgpu.gpu.policy";

    @AttributeDefinition(name = "Preference", description = "Backend names, best first; backends not named follow by service ranking.")
    String[] preference() default { "udmabuf", "hostmem", "copy" };

    @AttributeDefinition(name = "Small resource bytes", description = "Resources of at most this many bytes (cursors, small surfaces) go to the small-resource backend first.", min = "0")
    long small_resource_bytes() default 65536;

    @AttributeDefinition(name = "Small-resource backend", description = "Backend tried first for small resources.")
    String small_resource_backend() default "copy";

    @AttributeDefinition(name = "Device overrides", description = "DEVICE=BACKEND entries: that device's resources try that backend first.")
    String[] device_overrides() default {};
}
