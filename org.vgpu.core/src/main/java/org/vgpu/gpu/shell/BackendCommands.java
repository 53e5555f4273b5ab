package org.vgpu.gpu.shell;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.vgpu.core.shell.Table;
import org.vgpu.gpu.GpuInspection;
import org.vgpu.gpu.GpuMigration;
import org.vgpu.gpu.GpuState;
import org.vgpu.gpu.backend.SelectionPolicy;
import org.vgpu.gpu.spi.BackendCapabilities;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.ResourceBackend;

/**
 * Shell view and control of resource backends: which exist, the policy, moving resources between
 * them. Devices are seen through their {@link GpuInspection} and changed through their
 * {@link GpuMigration} services.
 */
@Component(service = BackendCommands.class, property = {
        "osgi.command.scope=vgpu",
        "osgi.command.function=backends",
        "osgi.command.function=policy",
        "osgi.command.function=migrate",
        "osgi.command.function=rebalance" })
public final class BackendCommands {
    private final List<GpuInspection> devices = new CopyOnWriteArrayList<>();
    private final List<GpuMigration> migrations = new CopyOnWriteArrayList<>();

    @Reference
    BackendSelector selector;
    /** How long vgpu:policy waits for ConfigAdmin to deliver the change (a policy it already had never changes the description). */
    private static final long POLICY_APPLY_TIMEOUT_NANOS = 5_000_000_000L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationAdmin configAdmin;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDevice(GpuInspection device) {
        devices.add(device);
    }

    void removeDevice(GpuInspection device) {
        devices.remove(device);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addMigration(GpuMigration migration) {
        migrations.add(migration);
    }

    void removeMigration(GpuMigration migration) {
        migrations.remove(migration);
    }

    @Descriptor("lists the resource backends: capabilities, resources held and their host bytes")
    public void backends() {
        Table t = new Table("NAME", "STATE", "ZERO-COPY", "DMABUF", "HOST-VISIBLE", "MAX BYTES", "RESOURCES", "HOST BYTES");
        for (ResourceBackend b : selector.backends()) {
            long count = 0, bytes = 0;
            for (GpuInspection d : devices) {
                for (GpuState.ResourceInfo r : d.resources()) {
                    if (r.backend().equals(b.name())) {
                        count++;
                        bytes += r.hostBytes();
                    }
                }
            }
            BackendCapabilities c = b.capabilities();
            t.row(b.name(), "active", yes(c.zeroCopy()), yes(c.dmabufExport()), yes(c.hostVisibleMapping()),
                    c.maxResourceBytes(), count, bytes);
        }
        if (t.isEmpty()) {
            System.out.println("no resource backends");
        } else {
            t.print(System.out);
        }
    }

    @Descriptor("shows the backend selection policy")
    public void policy() {
        selector.describePolicy().forEach(System.out::println);
    }

    @Descriptor("changes the backend selection policy (PID org.vgpu.gpu.policy), e.g. policy preference copy,udmabuf")
    public void policy(@Descriptor("preference | small.resource.bytes | small.resource.backend | device.overrides") String key,
            @Descriptor("value; lists are comma-separated") String value) throws IOException {
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) {
            throw new IllegalStateException("no ConfigurationAdmin");
        }
        Configuration c = cm.getConfiguration(SelectionPolicy.PID, "?");
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        switch (key) {
            case "preference", "device.overrides" -> props.put(key, value.isBlank() ? new String[0] : value.split("\\s*,\\s*"));
            case "small.resource.bytes" -> props.put(key, Long.parseLong(value));
            case "small.resource.backend" -> props.put(key, value);
            default -> throw new IllegalArgumentException("unknown policy key " + key);
        }
        List<String> before = selector.describePolicy();
        c.update(props);
        // ConfigAdmin delivers the change on its own thread: wait (bounded) until the selector has
        // it, so that a script's next command (e.g. vgpu:rebalance) sees the new policy.
        long deadline = System.nanoTime() + POLICY_APPLY_TIMEOUT_NANOS;
        while (selector.describePolicy().equals(before) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        System.out.println("policy " + key + " = " + value + " (new resources; vgpu:rebalance moves existing ones)");
    }

    @Descriptor("moves a resource of the (only or named) GPU device to another backend while the guest runs")
    public void migrate(@Descriptor("resource id") int id, @Descriptor("backend name") String backend) throws BackendException {
        migrate(null, id, backend);
    }

    @Descriptor("moves a resource of a GPU device to another backend while the guest runs")
    public void migrate(@Descriptor("device") String device, @Descriptor("resource id") int id,
            @Descriptor("backend name") String backend) throws BackendException {
        ResourceBackend target = selector.backends().stream().filter(b -> b.name().equals(backend)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend " + backend));
        String owner = null;
        for (GpuInspection d : devices) {
            if ((device == null || d.name().equals(device)) && d.resource(id) != null) {
                if (owner != null) {
                    throw new IllegalArgumentException("resource " + id + " exists on several devices: name one");
                }
                owner = d.name();
            }
        }
        if (owner == null) {
            throw new IllegalArgumentException("no resource " + id + (device == null ? "" : " on " + device));
        }
        String name = owner;
        GpuMigration mover = migrations.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("device " + name + " is going away"));
        long t0 = System.nanoTime();
        String result = mover.migrate(id, target, "vgpu:migrate");
        System.out.printf("%s: %s in %.2f ms%n", name, result, (System.nanoTime() - t0) / 1e6);
    }

    @Descriptor("moves existing resources to the backends the policy picks now")
    public void rebalance() {
        List<String> lines = new ArrayList<>();
        for (GpuMigration d : migrations) {
            d.rebalance().forEach(l -> lines.add(d.name() + ": " + l));
        }
        if (lines.isEmpty()) {
            System.out.println("every resource is on the backend the policy picks");
        }
        lines.forEach(System.out::println);
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }
}
