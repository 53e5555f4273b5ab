package org.vgpu.mmio.vm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A small ACPI Machine Language encoder (ACPI 6.5 chapter 20) for the few terms the micro-VM's
 * DSDT needs: names, scopes, devices, strings, integers, packages, buffers and the resource
 * descriptors (chapter 6.4) of a virtio-mmio device. Every method returns the encoded bytes of
 * one term, so terms nest by passing bytes into their parent.
 */
public final class Aml {

    static final int ZERO_OP = 0x00;
    static final int ONE_OP = 0x01;
    static final int NAME_OP = 0x08;
    static final int BYTE_PREFIX = 0x0a;
    static final int WORD_PREFIX = 0x0b;
    static final int DWORD_PREFIX = 0x0c;
    static final int STRING_PREFIX = 0x0d;
    static final int QWORD_PREFIX = 0x0e;
    static final int SCOPE_OP = 0x10;
    static final int BUFFER_OP = 0x11;
    static final int PACKAGE_OP = 0x12;
    static final int EXT_OP_PREFIX = 0x5b;
    static final int DEVICE_OP = 0x82; // after EXT_OP_PREFIX
    static final int ROOT_CHAR = '\\';
    static final int DUAL_NAME_PREFIX = 0x2e;
    static final int MULTI_NAME_PREFIX = 0x2f;
    static final int ONES_OP = 0xff;

    // Resource descriptors
    static final int IRQ_NO_FLAGS = 0x22;
    static final int IO_PORT = 0x47;
    static final int MEMORY32_FIXED = 0x86;
    static final int EXTENDED_INTERRUPT = 0x89;
    static final int END_TAG = 0x79;

    private Aml() {
    }

    /** Name(seg, value). */
    public static byte[] name(String seg, byte[] value) {
        return concat(new byte[] {NAME_OP}, nameString(seg), value);
    }

    /** Scope(path) { terms }. */
    public static byte[] scope(String path, byte[]... terms) {
        byte[] body = concat(nameString(path), concat(terms));
        return concat(new byte[] {SCOPE_OP}, pkgLength(body.length), body);
    }

    /** Device(seg) { terms }. */
    public static byte[] device(String seg, byte[]... terms) {
        byte[] body = concat(nameString(seg), concat(terms));
        return concat(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, pkgLength(body.length), body);
    }

    /** A string constant (ASCII, NUL terminated). */
    public static byte[] string(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 1 || s.charAt(i) > 0x7f) {
                throw new IllegalArgumentException("AML strings are ASCII without NUL: " + s);
            }
        }
        return concat(new byte[] {STRING_PREFIX}, s.getBytes(StandardCharsets.US_ASCII), new byte[] {0});
    }

    /** An integer in its shortest encoding (Zero, One, Ones, Byte/Word/DWord/QWordConst). */
    public static byte[] integer(long v) {
        if (v == 0) {
            return new byte[] {ZERO_OP};
        }
        if (v == 1) {
            return new byte[] {ONE_OP};
        }
        if (v == -1) {
            return new byte[] {(byte) ONES_OP};
        }
        if ((v & ~0xffL) == 0) {
            return new byte[] {BYTE_PREFIX, (byte) v};
        }
        if ((v & ~0xffffL) == 0) {
            return concat(new byte[] {WORD_PREFIX}, le(v, 2));
        }
        if ((v & ~0xffffffffL) == 0) {
            return concat(new byte[] {DWORD_PREFIX}, le(v, 4));
        }
        return concat(new byte[] {QWORD_PREFIX}, le(v, 8));
    }

    /** Package() { elements } with at most 255 elements. */
    public static byte[] pkg(byte[]... elements) {
        if (elements.length > 255) {
            throw new IllegalArgumentException("package of " + elements.length + " elements");
        }
        byte[] body = concat(new byte[] {(byte) elements.length}, concat(elements));
        return concat(new byte[] {PACKAGE_OP}, pkgLength(body.length), body);
    }

    /** Buffer() { data }. */
    public static byte[] buffer(byte[] data) {
        byte[] body = concat(integer(data.length), data);
        return concat(new byte[] {BUFFER_OP}, pkgLength(body.length), body);
    }

    /** ResourceTemplate() { descriptors }: a buffer ending with an End Tag (checksum 0: "valid"). */
    public static byte[] resourceTemplate(byte[]... descriptors) {
        return buffer(concat(concat(descriptors), new byte[] {(byte) END_TAG, 0}));
    }

    /** EisaId("PNP0501"): three letters in 5 bits each and four hex digits, as a DWord. */
    public static byte[] eisaId(String id) {
        if (!id.matches("[A-Z]{3}[0-9A-F]{4}")) {
            throw new IllegalArgumentException("bad EISA id " + id);
        }
        int vendor = ((id.charAt(0) - 0x40) << 10) | ((id.charAt(1) - 0x40) << 5) | (id.charAt(2) - 0x40);
        int product = Integer.parseInt(id.substring(3), 16);
        // stored big endian: vendor word, then product word
        long value = ((vendor >> 8) & 0xff) | ((vendor & 0xff) << 8) | (((product >> 8) & 0xffL) << 16) | ((product & 0xffL) << 24);
        return concat(new byte[] {DWORD_PREFIX}, le(value, 4));
    }

    /** IO(Decode16, min, max, alignment, length). */
    public static byte[] io(int min, int max, int alignment, int length) {
        return concat(new byte[] {IO_PORT, 1}, le(min, 2), le(max, 2), new byte[] {(byte) alignment, (byte) length});
    }

    /** IRQNoFlags() { irqs }: ISA interrupts 0-15, edge triggered, active high, exclusive. */
    public static byte[] irqNoFlags(int... irqs) {
        int mask = 0;
        for (int irq : irqs) {
            if (irq < 0 || irq > 15) {
                throw new IllegalArgumentException("ISA irq " + irq);
            }
            mask |= 1 << irq;
        }
        return concat(new byte[] {IRQ_NO_FLAGS}, le(mask, 2));
    }

    /** Memory32Fixed(ReadWrite or ReadOnly, base, length). */
    public static byte[] memory32Fixed(boolean writable, long base, long length) {
        if ((base & ~0xffffffffL) != 0 || (length & ~0xffffffffL) != 0) {
            throw new IllegalArgumentException("Memory32Fixed needs 32-bit values");
        }
        return concat(new byte[] {(byte) MEMORY32_FIXED, 9, 0, (byte) (writable ? 1 : 0)}, le(base, 4), le(length, 4));
    }

    /** Interrupt(ResourceConsumer, Edge or Level, ActiveHigh or ActiveLow, Exclusive or Shared) { gsis }. */
    public static byte[] interrupt(boolean edge, boolean activeLow, boolean shared, int... gsis) {
        if (gsis.length == 0 || gsis.length > 255) {
            throw new IllegalArgumentException("interrupt count " + gsis.length);
        }
        int flags = 0x01 /* consumer */ | (edge ? 0x02 : 0) | (activeLow ? 0x04 : 0) | (shared ? 0x08 : 0);
        int length = 2 + 4 * gsis.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(EXTENDED_INTERRUPT);
        out.write(length);
        out.write(length >> 8);
        out.write(flags);
        out.write(gsis.length);
        for (int gsi : gsis) {
            out.writeBytes(le(gsi & 0xffffffffL, 4));
        }
        return out.toByteArray();
    }

    /**
     * A NameString: optional root prefix '\', then one or more 4-character segments separated by
     * '.'; shorter segments are padded with '_' as ASL does.
     */
    public static byte[] nameString(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String rest = path;
        if (rest.startsWith("\\")) {
            out.write(ROOT_CHAR);
            rest = rest.substring(1);
        }
        String[] segs = rest.split("\\.");
        if (segs.length == 2) {
            out.write(DUAL_NAME_PREFIX);
        } else if (segs.length > 2) {
            out.write(MULTI_NAME_PREFIX);
            out.write(segs.length);
        }
        for (String seg : segs) {
            out.writeBytes(nameSeg(seg));
        }
        return out.toByteArray();
    }

    static byte[] nameSeg(String seg) {
        if (seg.isEmpty() || seg.length() > 4 || !seg.matches("[A-Z_][A-Z0-9_]*")) {
            throw new IllegalArgumentException("bad AML name segment '" + seg + "'");
        }
        String padded = (seg + "___").substring(0, 4);
        return padded.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * PkgLength for a body of bodyLength bytes; the encoded length counts the PkgLength bytes
     * themselves. One byte up to 63, else a lead byte (count of following bytes in bits 7-6,
     * low nibble in bits 3-0) and up to three more bytes.
     */
    public static byte[] pkgLength(int bodyLength) {
        if (bodyLength + 1 <= 0x3f) {
            return new byte[] {(byte) (bodyLength + 1)};
        }
        for (int n = 2; n <= 4; n++) {
            long total = bodyLength + n;
            if (total < 1L << (4 + 8 * (n - 1))) {
                byte[] out = new byte[n];
                out[0] = (byte) (((n - 1) << 6) | (total & 0xf));
                for (int i = 1; i < n; i++) {
                    out[i] = (byte) (total >> (4 + 8 * (i - 1)));
                }
                return out;
            }
        }
        throw new IllegalArgumentException("AML package too long: " + bodyLength);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] le(long v, int bytes) {
        byte[] out = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            out[i] = (byte) (v >>> (8 * i));
        }
        return out;
    }
}
