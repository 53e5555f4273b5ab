/**
 * virtio-gpu rendering context types: a {@link org.vgpu.gpu.context.ContextType} service names a
 * capset (GET_CAPSET_INFO / GET_CAPSET) and creates a {@link org.vgpu.gpu.context.RenderingContext}
 * for each CTX_CREATE whose context_init names that capset. The device keeps the context table
 * (ids, attached resources, limits, errors, fences in order per ring) and gives each context a
 * {@link org.vgpu.gpu.context.ContextHost}: checked access to its resources' guest pages and a
 * fence signal callable from any thread. A type may also render the device's 3D resources
 * ({@link org.vgpu.gpu.context.ResourceRenderer}, since 1.1). A context type bundle may come and
 * go while guests run. Also 1.1.0: {@link org.vgpu.gpu.context.DeviceSettings} (a device's settings,
 * for capsets and contexts), {@link org.vgpu.gpu.context.ContextHost#resourceFd} (a resource's host
 * fd, to pass to a peer) and writeGuest from any thread. 1.2.0: {@link
 * org.vgpu.gpu.context.ResourceRenderer#backingChanged} (a renderer may keep the pages).
 */
@Export
@Version("1.2.0")
package org.vgpu.gpu.context;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
