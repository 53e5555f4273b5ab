package org.vgpu.gpu.spi;

/**
 * What a backend can do, for the selector and the shell.
 *
 * @param zeroCopy           the host sees guest pages directly; TRANSFER is a no-op
 * @param dmabufExport       a resource can be exported as a dma-buf fd (for a display channel)
 * @param hostVisibleMapping the backend can map resources into the host-visible shared memory region
 * @param maxResourceBytes   largest resource it will store
 */
public record BackendCapabilities(boolean zeroCopy, boolean dmabufExport, boolean hostVisibleMapping, long maxResourceBytes) {
}
