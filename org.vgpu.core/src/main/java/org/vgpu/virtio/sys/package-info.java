/**
 * Linux system calls (JNA direct mapping) and small wrappers: eventfd, AF_UNIX sockets with fd
 * passing. 2.0.0: the KVM API ({@code Kvm}) moved into the micro-VM's bundle (org.vgpu.transport.mmio).
 * 2.1.0: pipe2.
 */
@Export
@Version("2.1.0")
package org.vgpu.virtio.sys;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
