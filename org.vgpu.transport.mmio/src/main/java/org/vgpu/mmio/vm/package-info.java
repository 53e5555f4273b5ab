/**
 * An in-process x86_64 KVM micro-VM that boots a Linux bzImage (64-bit boot protocol, ACPI,
 * 16550 console) and hosts virtio-mmio device windows: {@link org.vgpu.mmio.vm.MicroVm} is the
 * API, {@link org.vgpu.mmio.vm.VirtioMmioBus} puts VirtioDevices on it (irqfd, ioeventfd kicks,
 * the GPU's HOST_VISIBLE region as {@link org.vgpu.mmio.vm.SlotSharedMemoryWindow}),
 * {@link org.vgpu.mmio.vm.MicroVmMain} is the device-less command line. Not exported yet.
 */
package org.vgpu.mmio.vm;
