package org.vgpu.core.shell;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vgpu.virtio.api.DeviceActivation;
import org.vgpu.virtio.api.DeviceSummary;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.api.VirtioTransport;
import org.vgpu.virtio.queue.QueueStats;
import org.vgpu.virtio.queue.SplitQueue;

/** Shell view of the virtio layer: devices, transports, queues. */
@Component(service = VirtioCommands.class, property = {
        "osgi.command.scope=vgpu",
        "osgi.command.function=devices",
        "osgi.command.function=transports",
        "osgi.command.function=queues" })
public final class VirtioCommands {
    private final List<VirtioDevice> devices = new CopyOnWriteArrayList<>();
    private final List<VirtioTransport> transports = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDevice(VirtioDevice device) {
        devices.add(device);
    }

    void removeDevice(VirtioDevice device) {
        devices.remove(device);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTransport(VirtioTransport transport) {
        transports.add(transport);
    }

    void removeTransport(VirtioTransport transport) {
        transports.remove(transport);
    }

    @Descriptor("list virtio devices")
    public void devices() {
        Table table = new Table("NAME", "DEVICE-ID", "TYPE", "QUEUES", "FEATURES-OFFERED", "FEATURES-ACKED", "STATE", "CONNECTION", "DETAIL");
        for (VirtioDevice d : sortedDevices()) {
            DeviceActivation a = d.activation();
            table.row(d.name(), d.deviceId(), typeName(d.deviceId()), d.queueCount(),
                    hex(d.offeredFeatures()), hex(d.ackedFeatures()),
                    a == null ? "idle" : "active", a == null ? "-" : a.connectionName(),
                    d instanceof DeviceSummary s ? s.summary() : "-");
        }
        print(table, "no virtio devices");
    }

    @Descriptor("list virtio transports and the devices they serve")
    public void transports() {
        Table table = new Table("KIND", "ENDPOINT", "DEVICE", "STATE");
        for (VirtioTransport t : transports) {
            List<VirtioTransport.Binding> bindings = t.bindings();
            if (bindings.isEmpty()) {
                table.row(t.kind(), t.endpoint(), "-", "no device");
            }
            for (VirtioTransport.Binding b : bindings) {
                table.row(t.kind(), t.endpoint(), b.deviceName(), b.state());
            }
        }
        print(table, "no virtio transports");
    }

    @Descriptor("show the virtqueues of every device")
    public void queues() {
        queues(null);
    }

    @Descriptor("show the virtqueues of one device")
    public void queues(@Descriptor("device name") String deviceName) {
        Table table = new Table("DEVICE", "QUEUE", "SIZE", "MAX", "READY", "AVAIL-IDX", "USED-IDX", "KICKS", "CALLS", "CHAINS", "REJECTED");
        for (VirtioDevice d : sortedDevices()) {
            if (deviceName != null && !deviceName.equals(d.name())) {
                continue;
            }
            DeviceActivation a = d.activation();
            for (int i = 0; i < d.queueCount(); i++) {
                SplitQueue q = a == null ? null : a.queue(i);
                if (q == null) {
                    table.row(d.name(), i, "-", d.maxQueueSize(i), "no", "-", "-", "-", "-", "-", "-");
                    continue;
                }
                QueueStats s = q.stats();
                table.row(d.name(), i, q.size(), q.maxSize(), q.isReady() ? "yes" : "no", q.nextAvail(), q.nextUsed(),
                        s.kicks(), s.notifications(), s.chains(), s.rejectedChains());
            }
        }
        print(table, deviceName == null ? "no virtio devices" : "no device named " + deviceName);
    }

    private List<VirtioDevice> sortedDevices() {
        return devices.stream().sorted((x, y) -> x.name().compareTo(y.name())).toList();
    }

    private static void print(Table table, String whenEmpty) {
        if (table.isEmpty()) {
            System.out.println(whenEmpty);
        } else {
            table.print(System.out);
        }
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    static String typeName(int deviceId) {
        return switch (deviceId) {
            case 1 -> "net";
            case 2 -> "block";
            case 3 -> "console";
            case 16 -> "gpu";
            case 18 -> "input";
            default -> "id" + deviceId;
        };
    }
}
