/** Guest-physical memory: regions mapped from VMM file descriptors behind one checked accessor. */
@Export
@Version("1.2.0")
package org.vgpu.virtio.memory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
