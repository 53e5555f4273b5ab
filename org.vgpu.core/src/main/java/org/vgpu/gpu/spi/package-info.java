/**
 * virtio-gpu extension points: resource backends (where a resource's pixels live and how guest
 * pixels reach them), the per-resource backend selector, and display sinks (where scanouts go).
 */
@Export
@Version("2.5.0")
package org.vgpu.gpu.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
