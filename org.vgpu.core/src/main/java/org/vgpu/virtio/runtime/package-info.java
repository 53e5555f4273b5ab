/** Running activated devices: the queue worker thread, eventfd interrupts, a plain activation holder, the configuration of a default device. */
@Export
@Version("1.3.0")
package org.vgpu.virtio.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
