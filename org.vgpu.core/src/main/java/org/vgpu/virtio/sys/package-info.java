/** Linux system calls (JNA direct mapping) and small wrappers: eventfd, AF_UNIX sockets with fd passing, the KVM API. */
@Export
@Version("1.1.0")
package org.vgpu.virtio.sys;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
