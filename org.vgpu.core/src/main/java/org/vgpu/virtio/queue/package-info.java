/** Split virtqueues and the reader/writer over descriptor chains. */
@Export
@Version("1.1.0")
package org.vgpu.virtio.queue;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
