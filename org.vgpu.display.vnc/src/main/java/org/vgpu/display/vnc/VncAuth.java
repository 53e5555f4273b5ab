package org.vgpu.display.vnc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * VNC authentication (RFB security type 2): the client DES-encrypts a 16-byte random challenge with
 * the password as key. The key is the password's first 8 bytes, zero-padded, each byte bit-reversed
 * (the historical quirk of the original VNC's d3des, which every client reproduces).
 */
final class VncAuth {
    static final int CHALLENGE_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key = new byte[8];

    VncAuth(String password) {
        byte[] p = password.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < key.length && i < p.length; i++) {
            key[i] = (byte) (Integer.reverse(p[i] & 0xff) >>> 24);
        }
    }

    static byte[] challenge() {
        byte[] c = new byte[CHALLENGE_BYTES];
        RANDOM.nextBytes(c);
        return c;
    }

    /** What a client knowing the password answers to the challenge. */
    byte[] expectedResponse(byte[] challenge) {
        try {
            Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
            des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
            return des.doFinal(challenge);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no DES/ECB/NoPadding", e);
        }
    }

    /** Constant-time comparison of the client's response. */
    boolean accepts(byte[] challenge, byte[] response) {
        return MessageDigest.isEqual(expectedResponse(challenge), response);
    }
}
