package org.vgpu.mmio.platform;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * ConfigAdmin schema of the micro-VM (PID "org.vgpu.vm"); keys follow DS name mapping: kernel,
 * initrd, append, memory, host.visible.size, devices.target, exit.with.guest, console.input.
 */
@ObjectClassDefinition(id = MicroVmComponent.PID, name = "vgpu micro-VM",
        description = "Boots a Linux guest in an in-process KVM micro-VM with vgpu's devices on virtio-mmio.")
public @interface VmConfig {

    @AttributeDefinition(name = "Kernel", description = "The guest's bzImage.")
    String kernel();

    @AttributeDefinition(name = "Initrd", description = "The guest's initramfs (empty for none).")
    String initrd() default "";

    @AttributeDefinition(name = "Command line", description = "The guest kernel's command line.")
    String append() default "console=ttyS0";

    @AttributeDefinition(name = "Memory", description = "Guest RAM: bytes or with a K, M or G suffix (a multiple of 2 MiB, at least 64M).")
    String memory() default "512M";

    @AttributeDefinition(name = "Host-visible size", description = "Size of each GPU's HOST_VISIBLE shared memory window "
            + "(virtio shared memory id 1), where MAP_BLOB places blobs; placed above guest RAM.")
    String host_visible_size() default "1G";

    @AttributeDefinition(name = "Devices", description = "Filter selecting the VirtioDevices the VM gets, one virtio-mmio window each.")
    String devices_target() default "(vgpu.device.name=gpu0)";

    @AttributeDefinition(name = "Exit with the guest", description = "Stop the platform when the guest powers off "
            + "(exit 0) or crashes (1); KVM that cannot run the guest exits 3.")
    boolean exit_with_guest() default true;

    @AttributeDefinition(name = "Console input", description = "Forward the process's stdin to the guest's serial console.")
    boolean console_input() default false;
}
