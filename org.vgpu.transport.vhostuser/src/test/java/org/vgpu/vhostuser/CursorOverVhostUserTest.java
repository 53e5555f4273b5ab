package org.vgpu.vhostuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest's cursor commands as they reach the VMM's display socket, compared with QEMU's own
 * back end (contrib/vhost-user-gpu vg_process_cursor_cmd): UPDATE_CURSOR is one CURSOR_UPDATE with
 * the command's position and hot spot; MOVE_CURSOR is CURSOR_POS, or CURSOR_POS_HIDE when its
 * resource_id is 0.
 */
class CursorOverVhostUserTest {
    static final int UPDATE_CURSOR = 0x300, MOVE_CURSOR = 0x301;

    @TempDir
    Path dir;

    private static void cursorCommand(GpuDriver driver, int type, int scanout, int x, int y, int resource, int hotX, int hotY)
            throws Exception {
        ByteBuffer b = driver.begin(type, 0, 0);
        b.putInt(scanout).putInt(x).putInt(y).putInt(0).putInt(resource).putInt(hotX).putInt(hotY).putInt(0);
        driver.cursor(b, b.position());
    }

    @Test
    void cursorMessagesCarryTheGuestsPositionAndHideOnResourceZero() throws Exception {
        DisplayChannels displays = new DisplayChannels();
        VhostUserServer server = new VhostUserServer(DisplayIsolationTest.gpu("gpuC", displays),
                VhostUserProtocolTest.config(dir.resolve("c.sock").toString()), displays);
        try (GpuDriver driver = new GpuDriver(dir.resolve("c.sock"))) {
            driver.createScatteredResource(1, 64, 64, false);
            driver.fillScattered(64, 64, 7);
            driver.submitFrame(1, 64, 64); // TRANSFER: the cursor image is the guest's pixels
            driver.awaitAll();

            cursorCommand(driver, UPDATE_CURSOR, 0, 100, 50, 1, 3, 4);
            List<int[]> m = driver.display().awaitCursorMessages(1, 5000);
            assertEquals(1, m.size(), "one message for UPDATE_CURSOR");
            // pixel (0, 0) of fillScattered(seed 7) in B8G8R8X8: opaque 0x000007
            assertArrayEquals(new int[] {DisplayPeer.CURSOR_UPDATE, 0, 100, 50, 3, 4, 0xff000007}, m.get(0),
                    "CURSOR_UPDATE {scanout, x, y, hot_x, hot_y, first pixel}");

            cursorCommand(driver, MOVE_CURSOR, 0, 120, 60, 1, 0, 0);
            cursorCommand(driver, MOVE_CURSOR, 0, 130, 70, 0, 0, 0);
            m = driver.display().awaitCursorMessages(3, 5000);
            assertEquals(3, m.size());
            assertArrayEquals(new int[] {DisplayPeer.CURSOR_POS, 0, 120, 60}, m.get(1));
            // QEMU's display ignores a hidden cursor's position; vgpu sends the last one shown
            assertArrayEquals(new int[] {DisplayPeer.CURSOR_POS_HIDE, 0}, java.util.Arrays.copyOf(m.get(2), 2),
                    "MOVE_CURSOR with resource 0 hides");

            cursorCommand(driver, MOVE_CURSOR, 0, 140, 80, 1, 0, 0);
            m = driver.display().awaitCursorMessages(4, 5000);
            assertArrayEquals(new int[] {DisplayPeer.CURSOR_POS, 0, 140, 80}, m.get(3), "a move with the resource shows it again");
        } finally {
            server.deactivate();
        }
    }
}
