/**
 * Host input for a guest: a virtio-input device registers an {@link org.vgpu.input.spi.InputTarget}
 * service, and whatever produces host input (a VNC client, the shell) sends key, button, pointer
 * and wheel events to the targets of the guest display it is looking at.
 */
@Export
@Version("1.0.0")
package org.vgpu.input.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
