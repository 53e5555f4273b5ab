package org.vgpu.mmio.vm;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Typed input for the guest's serial console. */
public final class ConsoleInput {

    private ConsoleInput() {
    }

    /** Feeds in to the guest's console from a daemon thread (ends at EOF, e.g. /dev/null). */
    public static void forward(InputStream in, MicroVm vm) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[256];
            try {
                for (int n; (n = in.read(buffer)) > 0;) {
                    vm.consoleInput(Arrays.copyOf(buffer, n));
                }
            } catch (IOException | RuntimeException e) {
                // console input is best effort: the VM keeps running without it
            }
        }, "vm-console-input");
        t.setDaemon(true);
        t.start();
    }
}
