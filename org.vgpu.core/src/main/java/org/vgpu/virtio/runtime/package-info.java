/** Running activated devices: the queue worker thread, eventfd interrupts, a plain activation holder. */
@Export
@Version("1.2.0")
package org.vgpu.virtio.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
