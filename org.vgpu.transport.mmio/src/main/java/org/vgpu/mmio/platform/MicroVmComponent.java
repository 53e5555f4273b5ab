package org.vgpu.mmio.platform;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.metatype.annotations.Designate;
import org.vgpu.mmio.vm.MicroVmMain;
import org.vgpu.mmio.vm.VirtioMmioBus;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.api.VirtioTransport;

/**
 * The micro-VM as a platform service: with a configuration (PID org.vgpu.vm, or ./vgpu vm) it
 * boots a Linux guest with the selected VirtioDevices (gpu0 by default) on virtio-mmio, the
 * guest's console on the process's stdout, and shows in vgpu:transports as "virtio-mmio".
 * When the guest ends the platform ends with it (configurable).
 */
@Designate(ocd = VmConfig.class)
@Component(configurationPid = MicroVmComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = VirtioTransport.class, property = {"osgi.command.scope=vgpu", "osgi.command.function=vm"})
public final class MicroVmComponent implements VirtioTransport {
    public static final String PID = "org.vgpu.vm";
    private static final System.Logger LOG = System.getLogger(MicroVmComponent.class.getName());

    private final GuestRun run;
    private final List<String> deviceNames = new ArrayList<>();
    private volatile boolean deactivating;

    @Activate
    public MicroVmComponent(VmConfig config,
            @Reference(name = "devices", cardinality = ReferenceCardinality.AT_LEAST_ONE) List<VirtioDevice> devices) {
        GuestRun.Settings settings = new GuestRun.Settings(Path.of(config.kernel()),
                config.initrd().isBlank() ? null : Path.of(config.initrd()), config.append(),
                MicroVmMain.parseSize(config.memory()), MicroVmMain.parseSize(config.host_visible_size()),
                config.console_input());
        // By name: the bus layout (window and IRQ of each device) must not depend on service registration order.
        devices = devices.stream().sorted(java.util.Comparator.comparing(VirtioDevice::name)).toList();
        devices.forEach(d -> deviceNames.add(d.name()));
        // Not System.out: Gogo routes that per thread; the guest's console is the process's stdout.
        PrintStream console = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 8192), false);
        boolean exitWithGuest = config.exit_with_guest();
        run = new GuestRun(settings, devices, console, (status, message) -> ended(status, message, exitWithGuest));
        run.start();
    }

    private void ended(int status, String message, boolean exitWithGuest) {
        if (deactivating) {
            return;
        }
        if (status == GuestRun.EXIT_OK) {
            LOG.log(Level.INFO, message);
        } else {
            System.err.println(message); // the one line a user needs, even without logging
        }
        if (exitWithGuest) {
            // A thread of its own: exit's shutdown hook stops the framework, which deactivates us
            // and waits for the guest thread that is calling this.
            Thread exit = new Thread(() -> System.exit(status), "vm-exit");
            exit.start();
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        deactivating = true;
        if (!run.stop(5_000)) {
            LOG.log(Level.WARNING, "vm: the guest did not stop within 5 s; leaving it to the process exit");
        }
    }

    /** vgpu:vm: the guest's state, its VM exits and vcpu0 as KVM holds it (where an interrupt the guest did not take is). */
    @Descriptor("show the micro-VM: the guest, its VM exits and vcpu0's registers, interrupt state and local APIC")
    public String vm() {
        return "guest " + run.outcome() + ", " + run.exitCount() + " VM exits\nvcpu0: " + run.vcpuState();
    }

    @Override
    public String kind() {
        return "virtio-mmio";
    }

    @Override
    public String endpoint() {
        return "micro-VM";
    }

    @Override
    public List<Binding> bindings() {
        List<VirtioMmioBus.Attached> attached = run.attached();
        List<Binding> bindings = new ArrayList<>();
        if (attached.isEmpty()) {
            String state = run.outcome();
            deviceNames.forEach(name -> bindings.add(Binding.of(name, state)));
        }
        for (VirtioMmioBus.Attached a : attached) {
            bindings.add(Binding.of(a.transport().device().name(), a.transport().state() + ", " + a.describe() + ", " + run.exitCount() + " VM exits"));
        }
        return bindings;
    }
}
