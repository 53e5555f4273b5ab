package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listen addresses, the keysym table, the version check, and vgpu:displays. */
class SmallPartsTest {
    @TempDir
    Path dir;

    @Test
    void listenAddressesParse() {
        assertEquals(new InetSocketAddress("127.0.0.1", 5900), ListenAddress.parse("127.0.0.1:5900").address());
        assertEquals(new InetSocketAddress("::1", 5901), ListenAddress.parse("[::1]:5901").address());
        assertEquals(UnixDomainSocketAddress.of("/run/vnc.sock"), ListenAddress.parse("/run/vnc.sock").address());
        assertEquals(UnixDomainSocketAddress.of("/run/vnc.sock"), ListenAddress.parse("unix:/run/vnc.sock").address());
        assertEquals("unix:/run/vnc.sock", ListenAddress.parse("/run/vnc.sock").toString());
        for (String bad : new String[] {"", "5900", "host:", ":5900", "host:port", "host:70000", "relative/path"}) {
            assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(bad), bad);
        }
    }

    @Test
    void usLayoutKeysymsMapToTheirKeys() {
        Map<Integer, Integer> expected = Map.ofEntries(
                Map.entry((int) 'a', 30), Map.entry((int) 'A', 30), Map.entry((int) 'z', 44), Map.entry((int) 'm', 50),
                Map.entry((int) '1', 2), Map.entry((int) '!', 2), Map.entry((int) '0', 11), Map.entry((int) ')', 11),
                Map.entry((int) '-', 12), Map.entry((int) '_', 12), Map.entry((int) '=', 13), Map.entry((int) '[', 26),
                Map.entry((int) '}', 27), Map.entry((int) ';', 39), Map.entry((int) '"', 40), Map.entry((int) '`', 41),
                Map.entry((int) '~', 41), Map.entry((int) '|', 43), Map.entry((int) '<', 51), Map.entry((int) '.', 52),
                Map.entry((int) '?', 53), Map.entry((int) ' ', 57),
                Map.entry(0xff0d, 28), Map.entry(0xff1b, 1), Map.entry(0xff08, 14), Map.entry(0xff09, 15), Map.entry(0xfe20, 15),
                Map.entry(0xffe1, 42), Map.entry(0xffe2, 54), Map.entry(0xffe3, 29), Map.entry(0xffe4, 97), Map.entry(0xffe9, 56),
                Map.entry(0xffea, 100), Map.entry(0xfe03, 100), Map.entry(0xffeb, 125), Map.entry(0xffe5, 58),
                Map.entry(0xffbe, 59), Map.entry(0xffc7, 68), Map.entry(0xffc8, 87), Map.entry(0xffc9, 88),
                Map.entry(0xff51, 105), Map.entry(0xff52, 103), Map.entry(0xff53, 106), Map.entry(0xff54, 108),
                Map.entry(0xff50, 102), Map.entry(0xff57, 107), Map.entry(0xff55, 104), Map.entry(0xff56, 109),
                Map.entry(0xff63, 110), Map.entry(0xffff, 111), Map.entry(0xffb0, 82), Map.entry(0xffb9, 73),
                Map.entry(0xff8d, 96), Map.entry(0xffab, 78), Map.entry(0xff7f, 69));
        expected.forEach((keysym, code) -> assertEquals(code, Keysyms.evdev(keysym), "keysym 0x" + Integer.toHexString(keysym)));
        assertEquals(0, Keysyms.evdev(0x20ac), "a keysym with no US key (EuroSign)");
        assertEquals(0, Keysyms.evdev(0xff00));
        assertEquals(0, Keysyms.evdev(-1));
        for (int c = 'a'; c <= 'z'; c++) {
            assertTrue(Keysyms.evdev(c) > 0, "letter " + (char) c);
        }
    }

    @Test
    void versionStrings() throws Exception {
        assertEquals(8, VncClient.minorVersion("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(8, VncClient.minorVersion("RFB 003.889\n".getBytes(StandardCharsets.US_ASCII)), "Apple's: treated as 3.8");
        assertEquals(7, VncClient.minorVersion("RFB 003.007\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(3, VncClient.minorVersion("RFB 003.005\n".getBytes(StandardCharsets.US_ASCII)), "3.5 is 3.3");
        assertThrows(RfbException.class, () -> VncClient.minorVersion("RFB 003.008 ".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(RfbException.class, () -> VncClient.minorVersion("RFB 002.008\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void displaysListsServersTheirInputAndClientsAndOtherSinks() throws Exception {
        GuestScreen screen = new GuestScreen().show(64, 48, 1);
        Path socket = dir.resolve("vnc.sock");
        VncServerComponent vnc = new VncServerComponent(config("unix:" + socket));
        vnc.bindInput(new FakeInputTarget(GuestScreen.DEVICE), Map.of());
        screen.gpu.state.addSink(vnc);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        VncCommands commands = new VncCommands(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        commands.addSink(vnc);
        commands.addSink(new org.vgpu.gpu.png.PngSink());
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.read(java.nio.ByteBuffer.allocate(12)); // the server's version: it has taken the connection
            RealClients.awaitClientCount(vnc.server(), 1);
            commands.displays();
        } finally {
            vnc.deactivate();
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("vnc unix:" + socket + " " + GuestScreen.DEVICE + " scanout 0 64x48 no-auth clients 1/4"), out);
        assertTrue(out.contains("  input fake-" + GuestScreen.DEVICE + " (KEYBOARD)"), out);
        assertTrue(out.contains("  client unix"), out);
        assertTrue(out.contains("PngSink"), out);
    }

    private static VncConfig config(String listen) {
        return new VncConfig() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return VncConfig.class;
            }

            @Override
            public String listen() {
                return listen;
            }

            @Override
            public String device_name() {
                return GuestScreen.DEVICE;
            }

            @Override
            public int scanout() {
                return 0;
            }

            @Override
            public String password() {
                return "";
            }

            @Override
            public int max_clients() {
                return 4;
            }

            @Override
            public int max_cut_text() {
                return 1024;
            }

            @Override
            public String[] encodings() {
                return new String[] {"zrle", "raw"};
            }
        };
    }
}
