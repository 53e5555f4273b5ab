/**
 * The micro-VM as platform services (Declarative Services): {@link org.vgpu.mmio.platform.MicroVmComponent}
 * boots a guest with the platform's VirtioDevices on virtio-mmio for configuration PID org.vgpu.vm,
 * {@link org.vgpu.mmio.platform.CommandLineVm} writes that configuration from ./vgpu vm's options.
 * Private to the bundle.
 */
package org.vgpu.mmio.platform;
