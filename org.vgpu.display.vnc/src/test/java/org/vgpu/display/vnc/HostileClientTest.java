package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vgpu.display.vnc.RawRfbClient.Rect;

/**
 * Each malformed message disconnects the client that sent it, and only that one: a second client,
 * connected throughout, still gets the next update, and the device still flushes.
 */
class HostileClientTest {
    interface Attack {
        /** Runs against a fresh connection (nothing read yet). */
        void send(RawRfbClient c) throws IOException;
    }

    final GuestScreen screen = new GuestScreen().show(64, 48, 1);
    VncServer server;
    RawRfbClient bystander;

    @BeforeEach
    void start() throws IOException {
        server = new VncServer(new VncSettings(ListenAddress.parse("127.0.0.1:0"), GuestScreen.DEVICE, 0, "", 4, 4096,
                new int[] {Encodings.RAW}, 10_000), new InputRouter());
        screen.gpu.state.addSink(server);
        bystander = RawRfbClient.connect(server).handshake();
        bystander.request(false, 0, 0, 64, 48);
        bystander.readUpdate(4);
    }

    @AfterEach
    void stop() throws IOException {
        bystander.close();
        server.close();
    }

    private static Attack afterHandshake(Attack a) {
        return c -> {
            c.handshake();
            a.send(c);
        };
    }

    private static Attack version(String v) {
        return c -> {
            c.in.readFully(new byte[12]);
            c.out.write(v.getBytes(StandardCharsets.US_ASCII));
        };
    }

    static Stream<Arguments> attacks() {
        return Stream.of(
                Arguments.of("version string not RFB", version("HTTP/1.1 200")),
                Arguments.of("version digits not digits", version("RFB 003.00x\n")),
                Arguments.of("protocol version 4.0", version("RFB 004.000\n")),
                Arguments.of("security type not offered", (Attack) c -> {
                    c.in.readFully(new byte[12]);
                    c.out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
                    c.in.readFully(new byte[2]);
                    c.out.write(VncClient.SECURITY_VNC); // None was offered
                }),
                Arguments.of("unknown message type", afterHandshake(c -> c.out.write(99))),
                Arguments.of("ClientCutText longer than the limit", afterHandshake(c -> cutText(c.out, 1 << 30))),
                Arguments.of("ClientCutText negative length", afterHandshake(c -> cutText(c.out, -5))),
                Arguments.of("SetEncodings with 65535 entries", afterHandshake(c -> {
                    c.out.write(new byte[] {2, 0, (byte) 0xff, (byte) 0xff});
                })),
                Arguments.of("SetPixelFormat bpp 7", afterHandshake(c -> c.setPixelFormat(7, 7, false, 1, 3, 1, 0, 1, 3))),
                Arguments.of("SetPixelFormat depth above bpp", afterHandshake(c -> c.setPixelFormat(16, 24, false, 31, 63, 31, 11, 5, 0))),
                Arguments.of("SetPixelFormat channel max not 2^n-1", afterHandshake(c -> c.setPixelFormat(32, 24, false, 200, 255, 255, 16, 8, 0))),
                Arguments.of("SetPixelFormat channel beyond the pixel", afterHandshake(c -> c.setPixelFormat(16, 16, false, 255, 63, 31, 11, 5, 0))),
                Arguments.of("SetPixelFormat colour map", afterHandshake(c -> c.out.write(new byte[] {0, 0, 0, 0, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))),
                Arguments.of("FramebufferUpdateRequest outside the framebuffer", afterHandshake(c -> c.request(true, 60, 0, 10, 10))),
                Arguments.of("FramebufferUpdateRequest with absurd size", afterHandshake(c -> c.request(false, 0, 0, 65535, 65535))));
    }

    private static void cutText(DataOutputStream out, int length) throws IOException {
        out.write(new byte[] {6, 0, 0, 0});
        out.writeInt(length);
        out.write(new byte[100]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void malformedClientIsDisconnectedAloneAndTheOthersGoOn(String name, Attack attack) throws Exception {
        try (RawRfbClient hostile = RawRfbClient.connect(server)) {
            attack.send(hostile);
            hostile.assertDisconnected();
        }
        bystander.request(true, 0, 0, 64, 48);
        screen.redraw(20, 20, 4, 4, 2);
        List<Rect> update = bystander.readUpdate(4);
        assertEquals(List.of(16, 16, 16, 16), List.of(update.get(0).x(), update.get(0).y(), update.get(0).w(), update.get(0).h()),
                "the other client's next update");
        RealClients.awaitClientCount(server, 1);
    }
}
