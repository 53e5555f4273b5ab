package org.vgpu.itest.guest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The kernel the tests boot is the one the scripts pack an initramfs for (sort -V). */
class GuestSetupTest {

    @Test
    void kernelsCompareInVersionOrder() {
        assertTrue(GuestSetup.versionKey("vmlinuz-6.12.10+deb12-amd64").compareTo(GuestSetup.versionKey("vmlinuz-6.12.9+deb12-amd64")) > 0);
        assertTrue(GuestSetup.versionKey("vmlinuz-6.12.95+deb12-amd64").compareTo(GuestSetup.versionKey("vmlinuz-6.12.100+deb12-amd64")) < 0);
        assertTrue("vmlinuz-6.12.10".compareTo("vmlinuz-6.12.9") < 0, "what plain text order got wrong");
    }
}
