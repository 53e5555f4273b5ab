package org.vgpu.vhostuser.bench;

import java.util.Arrays;

import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.NativeException;

/**
 * The limit of {@link ManyDevicesBenchmark}'s interference figure: a round trip that needs nothing
 * but two threads waking each other through eventfds (the smallest thing a device round trip
 * contains), timed beside the device probe. When the cores are busy with other devices' frames,
 * its p99 rises as far as theirs: the scheduler, not a device, sets it.
 */
final class BareWakeProbe implements AutoCloseable {
    private final EventFd ping = EventFd.create(false);
    private final EventFd pong = EventFd.create(false);
    private final Thread responder;
    private volatile boolean closing;

    BareWakeProbe() throws NativeException {
        responder = new Thread(() -> {
            try {
                while (true) {
                    ping.consume();
                    if (closing) {
                        return;
                    }
                    pong.signal();
                }
            } catch (NativeException e) {
                // closed
            }
        }, "bare-wake-responder");
        responder.setDaemon(true);
        responder.start();
    }

    /** n round trips after warmup untimed ones, sorted, in ns. */
    long[] roundTrips(int warmup, int n) throws NativeException {
        long[] lat = new long[n];
        for (int i = -warmup; i < n; i++) {
            long s = System.nanoTime();
            ping.signal();
            pong.consume();
            if (i >= 0) {
                lat[i] = System.nanoTime() - s;
            }
        }
        Arrays.sort(lat);
        return lat;
    }

    @Override
    public void close() throws Exception {
        closing = true;
        ping.signal();
        responder.join(1000);
        ping.close();
        pong.close();
    }
}
