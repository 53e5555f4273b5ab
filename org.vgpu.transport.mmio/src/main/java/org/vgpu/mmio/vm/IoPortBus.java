package org.vgpu.mmio.vm;

import java.util.Map;
import java.util.TreeMap;

/**
 * The x86 I/O port space as the VM traps it. Ports nobody claims behave like an empty ISA bus:
 * reads return all ones, writes vanish (the kernel probes many legacy ports this way).
 */
final class IoPortBus {

    private record Device(int base, int count, IoPortHandler handler) {
    }

    private final TreeMap<Integer, Device> devices = new TreeMap<>();

    void add(int base, int count, IoPortHandler handler) {
        for (Device d : devices.values()) {
            if (base < d.base() + d.count() && d.base() < base + count) {
                throw new IllegalArgumentException(String.format("ports 0x%x+%d overlap 0x%x+%d", base, count, d.base(), d.count()));
            }
        }
        devices.put(base, new Device(base, count, handler));
    }

    int read(int port, int size) {
        Device d = find(port);
        if (d == null) {
            return size == 4 ? -1 : (1 << (8 * size)) - 1;
        }
        return d.handler().read(port - d.base(), size);
    }

    void write(int port, int size, int value) {
        Device d = find(port);
        if (d != null) {
            d.handler().write(port - d.base(), size, value);
        }
    }

    private Device find(int port) {
        Map.Entry<Integer, Device> e = devices.floorEntry(port);
        return e != null && port < e.getKey() + e.getValue().count() ? e.getValue() : null;
    }
}
