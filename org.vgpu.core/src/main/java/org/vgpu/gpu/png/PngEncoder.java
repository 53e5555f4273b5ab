package org.vgpu.gpu.png;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Minimal PNG writer (8-bit RGB or RGBA, filter type 0) on java.util.zip: no AWT needed. */
public final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngEncoder() {
    }

    /** Writes width x height 0xAARRGGBB pixels; alpha is kept only if withAlpha. */
    public static void write(OutputStream out, int width, int height, int[] argb, boolean withAlpha) throws IOException {
        if (width <= 0 || height <= 0 || argb.length < (long) width * height) {
            throw new IllegalArgumentException("bad image size " + width + "x" + height);
        }
        DataOutputStream data = new DataOutputStream(out);
        data.write(SIGNATURE);

        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.writeByte(8);                    // bit depth
        h.writeByte(withAlpha ? 6 : 2);    // colour type: RGBA / RGB
        h.writeByte(0);                    // deflate
        h.writeByte(0);                    // adaptive filtering (we use filter 0 on every row)
        h.writeByte(0);                    // no interlace
        chunk(data, "IHDR", ihdr.toByteArray());

        int channels = withAlpha ? 4 : 3;
        byte[] row = new byte[1 + width * channels];
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        try (DeflaterOutputStream z = new DeflaterOutputStream(compressed, deflater)) {
            for (int y = 0; y < height; y++) {
                int o = 1;
                for (int x = 0; x < width; x++) {
                    int p = argb[y * width + x];
                    row[o++] = (byte) (p >> 16);
                    row[o++] = (byte) (p >> 8);
                    row[o++] = (byte) p;
                    if (withAlpha) {
                        row[o++] = (byte) (p >>> 24);
                    }
                }
                z.write(row);
            }
        } finally {
            deflater.end();
        }
        chunk(data, "IDAT", compressed.toByteArray());
        chunk(data, "IEND", new byte[0]);
        data.flush();
    }

    private static void chunk(DataOutputStream out, String type, byte[] body) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        out.writeInt(body.length);
        out.write(t);
        out.write(body);
        out.writeInt((int) crc.getValue());
    }
}
