package org.vgpu.device.input;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * ConfigAdmin schema of a virtio-input device (factory PID "org.vgpu.input"). Keys follow DS name
 * mapping: vgpu.device.name, kind, name, display, pending.events.
 */
@ObjectClassDefinition(pid = InputDeviceComponent.FACTORY_PID, name = "vgpu virtio-input device",
        description = "A virtio-input keyboard or absolute tablet served to a guest by any vgpu transport.")
public @interface InputConfig {

    @AttributeDefinition(name = "Device name", description = "Unique instance name; also the vgpu.device.name and vgpu.input.name service properties.")
    String vgpu_device_name() default "input1";

    @AttributeDefinition(name = "Kind", options = {@Option(value = "keyboard"), @Option(value = "tablet")})
    String kind() default "keyboard";

    @AttributeDefinition(name = "Guest name", description = "ID_NAME the guest sees (/sys/class/input/*/name); empty: \"vgpu <kind> <device name>\".")
    String name() default "";

    @AttributeDefinition(name = "Display", description = "The GPU device whose scanouts the tablet's absolute axes map to.")
    String display() default "gpu0";

    @AttributeDefinition(name = "Held events", description = "Events kept while the guest has no event buffers; when full the oldest group is dropped.",
            min = "8", max = "4096")
    int pending_events() default 256;
}
