package org.vgpu.display.vnc;

import java.net.InetSocketAddress;

/**
 * Prints figures, not a test: one RFB server's update rate and bytes per update while a real guest
 * redraws its whole 1280x800 screen as fast as it can (cnf/scripts/bench-vnc-guest boots it under
 * QEMU, against vgpu's VNC server or against QEMU's own -vnc as the peer). The client asks for the
 * next incremental update as soon as one is read (RfbUpdateReader: every rectangle parsed, nothing
 * decoded), for SECONDS per encoding, raw then ZRLE.
 * Usage: java ... org.vgpu.display.vnc.VncGuestBenchmark HOST PORT SECONDS LABEL
 */
public final class VncGuestBenchmark {
    public static void main(String[] args) throws Exception {
        InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        double seconds = Double.parseDouble(args[2]);
        String label = args[3];
        StringBuilder row = new StringBuilder(String.format("%-40s", label));
        for (int encoding : new int[] {Encodings.RAW, Encodings.ZRLE}) {
            try (RfbUpdateReader client = RfbUpdateReader.connect(address, encoding)) {
                client.request(false);
                client.readUpdate();
                long updates = 0, bytes = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    client.request(true);
                    bytes += client.readUpdate();
                    updates++;
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                row.append(String.format(" %10.1f %14.0f", updates / secs, updates == 0 ? 0.0 : (double) bytes / updates));
                if (client.width != 1280 || client.height != 800) {
                    row.append(" (" + client.width + "x" + client.height + ")");
                }
            }
        }
        System.out.println(row);
    }
}
