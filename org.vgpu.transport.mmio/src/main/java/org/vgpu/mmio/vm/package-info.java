/**
 * An in-process x86_64 KVM micro-VM that boots a Linux bzImage (64-bit boot protocol, ACPI,
 * 16550 console) and hosts virtio-mmio device windows: {@link org.vgpu.mmio.vm.MicroVm} is the
 * API, {@link org.vgpu.mmio.vm.MicroVmMain} the command line. Not exported yet.
 */
package org.vgpu.mmio.vm;
