package org.vgpu.gpu.spi;

/**
 * A resource's pixels as a host dma-buf, for displays that import buffers instead of reading
 * pixels (vhost-user DMABUF_SCANOUT). The fd stays owned by the backend resource and is valid
 * during the call that handed it out; a display that keeps the buffer must dup it (sending it
 * with SCM_RIGHTS does).
 *
 * @param fd the dma-buf file descriptor
 * @param width buffer width in pixels
 * @param height buffer height in pixels
 * @param stride bytes per row
 * @param drmFourcc DRM format code of the pixels (see {@link PixelFormat#drmFourcc()})
 * @param modifier DRM format modifier (0 = linear)
 */
public record Dmabuf(int fd, int width, int height, int stride, int drmFourcc, long modifier) {
    public static final long MODIFIER_LINEAR = 0;
}
