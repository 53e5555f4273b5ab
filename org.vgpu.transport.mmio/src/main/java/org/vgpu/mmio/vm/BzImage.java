package org.vgpu.mmio.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Linux x86 bzImage split as the boot protocol describes (Documentation/arch/x86/boot.rst):
 * the real-mode setup sectors, whose setup header is copied into boot_params, and the
 * protected-mode kernel that is loaded at 1 MiB.
 */
public final class BzImage {

    // Setup header offsets inside the image (and inside boot_params, which embeds the header).
    static final int SETUP_SECTS = 0x1f1;
    static final int BOOT_FLAG = 0x1fe;
    static final int JUMP = 0x200;
    static final int HEADER_MAGIC = 0x202;
    static final int VERSION = 0x206;
    static final int INITRD_ADDR_MAX = 0x22c;
    static final int RELOCATABLE = 0x234;
    static final int XLOADFLAGS = 0x236;
    static final int CMDLINE_SIZE = 0x238;
    static final int INIT_SIZE = 0x260;

    static final int MAGIC_HDRS = 0x53726448; // "HdrS"
    static final int XLF_KERNEL_64 = 0x1;
    static final int XLF_CAN_BE_LOADED_ABOVE_4G = 0x2;
    /** 2.12 brought xloadflags, which says whether the 64-bit entry point exists. */
    static final int MIN_VERSION = 0x020c;

    private final byte[] image;
    private final int setupSize;

    private BzImage(byte[] image) {
        if (image.length < 0x1000) {
            throw new IllegalArgumentException("too small for a bzImage: " + image.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getShort(BOOT_FLAG) & 0xffff) != 0xaa55 || b.getInt(HEADER_MAGIC) != MAGIC_HDRS) {
            throw new IllegalArgumentException("not a bzImage (no boot flag / HdrS header)");
        }
        int version = b.getShort(VERSION) & 0xffff;
        if (version < MIN_VERSION) {
            throw new IllegalArgumentException(String.format("boot protocol %x.%02x is too old", version >> 8, version & 0xff));
        }
        if ((b.getShort(XLOADFLAGS) & XLF_KERNEL_64) == 0) {
            throw new IllegalArgumentException("the kernel has no 64-bit entry point");
        }
        int sects = image[SETUP_SECTS] & 0xff;
        this.image = image;
        this.setupSize = ((sects == 0 ? 4 : sects) + 1) * 512;
        if (setupSize >= image.length) {
            throw new IllegalArgumentException("setup sectors cover the whole image");
        }
    }

    public static BzImage read(Path path) throws IOException {
        return new BzImage(Files.readAllBytes(path));
    }

    public static BzImage of(byte[] image) {
        return new BzImage(image.clone());
    }

    /** The setup header bytes, from 0x1f1 to its end (its length is in the jump at 0x200). */
    public byte[] setupHeader() {
        int end = HEADER_MAGIC + (image[JUMP + 1] & 0xff);
        byte[] header = new byte[end - SETUP_SECTS];
        System.arraycopy(image, SETUP_SECTS, header, 0, header.length);
        return header;
    }

    /** The protected-mode kernel, loaded at {@link VmMemoryLayout#KERNEL_START}. */
    public ByteBuffer protectedModeKernel() {
        return ByteBuffer.wrap(image, setupSize, image.length - setupSize).slice();
    }

    /** Highest address the initrd may end at (inclusive) below 4 GiB, or unlimited if it can go above. */
    public long initrdAddressMax() {
        if ((header().getShort(XLOADFLAGS) & XLF_CAN_BE_LOADED_ABOVE_4G) != 0) {
            return -1L; // unsigned max
        }
        return header().getInt(INITRD_ADDR_MAX) & 0xffffffffL;
    }

    /** Maximum command line length without the terminating NUL. */
    public int commandLineSize() {
        return header().getInt(CMDLINE_SIZE);
    }

    /** Bytes the kernel needs from its (aligned) load address to decompress and start. */
    public long initSize() {
        return header().getInt(INIT_SIZE) & 0xffffffffL;
    }

    private ByteBuffer header() {
        return ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    }
}
