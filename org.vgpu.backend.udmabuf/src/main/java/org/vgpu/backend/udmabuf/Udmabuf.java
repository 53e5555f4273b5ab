package org.vgpu.backend.udmabuf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import org.vgpu.virtio.sys.LinuxNative;
import org.vgpu.virtio.sys.NativeException;

/** /dev/udmabuf: turns memfd ranges into a dma-buf fd (UDMABUF_CREATE_LIST), and the kernel's limits. */
final class Udmabuf implements AutoCloseable {
    static final Path DEVICE = Path.of("/dev/udmabuf");
    /** _IOW('u', 0x43, struct udmabuf_create_list { u32 flags; u32 count; }) */
    static final long UDMABUF_CREATE_LIST = 0x40087543L;
    static final int UDMABUF_FLAGS_CLOEXEC = 1;
    /** _IOW('b', 0, struct dma_buf_sync { u64 flags; }) */
    static final long DMA_BUF_IOCTL_SYNC = 0x40086200L;
    static final long DMA_BUF_SYNC_READ = 1, DMA_BUF_SYNC_START = 0, DMA_BUF_SYNC_END = 4;
    private static final int ITEM_SIZE = 24; // u32 memfd, u32 pad, u64 offset, u64 size

    private final int fd;
    final int listLimit;
    final long sizeLimitBytes;

    private Udmabuf(int fd, int listLimit, long sizeLimitBytes) {
        this.fd = fd;
        this.listLimit = listLimit;
        this.sizeLimitBytes = sizeLimitBytes;
    }

    /** Opens the device, or returns null where the kernel has none (then the backend declines). */
    static Udmabuf open() {
        if (!Files.exists(DEVICE)) {
            return null;
        }
        int fd = LinuxNative.open(DEVICE.toString(), LinuxNative.O_RDWR | LinuxNative.O_CLOEXEC);
        if (fd < 0) {
            return null;
        }
        return new Udmabuf(fd, (int) parameter("list_limit", 1024), parameter("size_limit_mb", 64) << 20);
    }

    private static long parameter(String name, long fallback) {
        try {
            return Long.parseLong(Files.readString(Path.of("/sys/module/udmabuf/parameters/" + name)).trim());
        } catch (IOException | NumberFormatException e) {
            return fallback;
        }
    }

    /** A new dma-buf fd over the ranges, in order. */
    int create(List<UdmabufRules.Item> items) throws NativeException {
        Memory list = new Memory(8L + (long) ITEM_SIZE * items.size());
        list.clear();
        list.setInt(0, UDMABUF_FLAGS_CLOEXEC);
        list.setInt(4, items.size());
        for (int i = 0; i < items.size(); i++) {
            long at = 8L + (long) ITEM_SIZE * i;
            list.setInt(at, items.get(i).memfd());
            list.setLong(at + 8, items.get(i).offset());
            list.setLong(at + 16, items.get(i).size());
        }
        return LinuxNative.check("UDMABUF_CREATE_LIST", LinuxNative.ioctl(fd, UDMABUF_CREATE_LIST, Pointer.nativeValue(list)));
    }

    /** Brackets host reads of a dma-buf so caches are coherent with the guest's writes. */
    static void sync(int dmabuf, long flags) throws NativeException {
        try (Memory arg = new Memory(8)) {
            arg.setLong(0, flags);
            LinuxNative.check("DMA_BUF_IOCTL_SYNC", LinuxNative.ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, Pointer.nativeValue(arg)));
        }
    }

    @Override
    public void close() {
        LinuxNative.closeQuietly(fd);
    }
}
