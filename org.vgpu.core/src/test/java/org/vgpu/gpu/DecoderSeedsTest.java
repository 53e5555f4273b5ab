package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.vgpu.gpu.protocol.Protocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.vgpu.gpu.command.CommandType;

/** The fuzzer's seed corpus reaches every command's success path (so fuzzing starts past the door of each). */
class DecoderSeedsTest {
    static final Path SEEDS = Path.of("src/test/resources/org/vgpu/gpu/DecoderFuzzTestInputs/commands");

    @Test
    void seedsReachEveryCommand() throws IOException {
        Set<String> succeeded = new TreeSet<>();
        try (Stream<Path> files = Files.list(SEEDS)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                replay(Files.readAllBytes(p), succeeded);
            }
        }
        Set<String> all = new TreeSet<>();
        for (int i = 0; i < CommandType.count(); i++) {
            all.add(CommandType.at(i).name());
        }
        all.remove("TRANSFER_FROM_HOST_3D"); // never succeeds: nothing renders on the host
        all.removeAll(succeeded);
        assertEquals(Set.of(), all, "commands no seed runs successfully");
    }

    /** As DecoderFuzzTest frames and configures it; records the commands that got an OK response. */
    private static void replay(byte[] data, Set<String> succeeded) {
        if (data.length == 0) {
            return;
        }
        GpuState state = DecoderFuzzTest.device((data[0] & 1) != 0, new FakeWindow(DecoderFuzzTest.WINDOW));
        state.setMemory(new FakeGuestMemory(DecoderFuzzTest.RAM_BASE, DecoderFuzzTest.RAM_SIZE));
        CommandDecoder decoder = new CommandDecoder(state);
        ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1).slice().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer req = ByteBuffer.allocate(MAX_REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer resp = ByteBuffer.allocate(MAX_RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        while (in.remaining() >= 2) {
            int len = Math.min(in.getShort() & 0xffff, in.remaining());
            req.put(0, in, in.position(), len);
            in.position(in.position() + len);
            decoder.handle(req, len, resp);
            int type = resp.getInt(0);
            if (len >= HDR_SIZE && type >= RESP_OK_NODATA && type <= RESP_OK_MAP_INFO) {
                succeeded.add(commandName(req.getInt(HDR_TYPE)));
            }
        }
    }
}
