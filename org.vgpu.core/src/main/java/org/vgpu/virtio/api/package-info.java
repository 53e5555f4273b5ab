/** Virtio device and transport services. */
@Export
@Version("1.3.0")
package org.vgpu.virtio.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
