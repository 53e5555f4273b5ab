package org.vgpu.mmio.platform;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.vgpu.mmio.vm.ConsoleInput;
import org.vgpu.mmio.vm.MicroVm;
import org.vgpu.mmio.vm.VirtioMmioBus;
import org.vgpu.mmio.vm.VmExit;
import org.vgpu.virtio.api.VirtioDevice;

/**
 * One guest's life on its own thread: creates the micro-VM, attaches the devices to its
 * virtio-mmio bus, boots, runs the vCPU until the guest ends, tears everything down and tells
 * the owner how it ended (an exit status in the sense of MicroVmMain).
 */
final class GuestRun {
    private static final System.Logger LOG = System.getLogger(GuestRun.class.getName());

    static final int EXIT_OK = 0;
    static final int EXIT_CRASH = 1;
    static final int EXIT_BOOT_FAILED = 2;
    static final int EXIT_NO_KVM = 3;

    record Settings(Path kernel, Path initrd, String cmdline, long memory, long hostVisibleSize, boolean consoleInput) {
    }

    /** How the run ended: status 0 after a power-off or reset; message explains any other status. */
    @FunctionalInterface
    interface Ending {
        void ended(int status, String message);
    }

    private final Settings settings;
    private final List<VirtioDevice> devices;
    private final OutputStream console;
    private final Ending ending;
    private final Thread thread;
    private volatile MicroVm vm;
    private volatile VirtioMmioBus bus;
    private volatile boolean stopping;
    private volatile String outcome = "starting";

    GuestRun(Settings settings, List<VirtioDevice> devices, OutputStream console, Ending ending) {
        this.settings = settings;
        this.devices = List.copyOf(devices);
        this.console = console;
        this.ending = ending;
        this.thread = new Thread(this::run, "vm-vcpu0");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops the guest (if it still runs) and waits for the teardown; false if it did not end in time. */
    boolean stop(long timeoutMillis) throws InterruptedException {
        stopping = true;
        MicroVm v = vm;
        if (v != null) {
            v.stop();
        }
        thread.join(timeoutMillis);
        return !thread.isAlive();
    }

    /** The devices on the bus once the VM exists (empty before). */
    List<VirtioMmioBus.Attached> attached() {
        VirtioMmioBus b = bus;
        return b == null ? List.of() : b.attached();
    }

    /** VM exits so far (0 before the VM exists): vgpu:transports shows them, the benchmark divides them per frame. */
    long exitCount() {
        MicroVm v = vm;
        return v == null ? 0 : v.exitCount();
    }

    /** vcpu0's state as KVM holds it (see MicroVm.vcpuState), or why there is none. */
    String vcpuState() {
        MicroVm v = vm;
        return v == null ? "no VM" : v.vcpuState(2_000);
    }

    /** "starting", "running", or how the guest ended. */
    String outcome() {
        return outcome;
    }

    private void run() {
        long start = System.nanoTime();
        if (!Files.exists(Path.of("/dev/kvm"))) {
            end(EXIT_NO_KVM, "KVM is not available here: /dev/kvm does not exist");
            return;
        }
        MicroVm created;
        try {
            created = MicroVm.create(settings.memory(), console);
        } catch (Exception e) {
            end(EXIT_NO_KVM, "KVM here cannot run a Linux guest: " + e.getMessage());
            return;
        }
        VmExit exit;
        long exits;
        try (MicroVm v = created; VirtioMmioBus b = new VirtioMmioBus(v, settings.hostVisibleSize())) {
            for (VirtioDevice d : devices) {
                b.attach(d);
            }
            bus = b;
            vm = v;
            if (stopping) {
                end(EXIT_OK, "stopped before boot");
                return;
            }
            v.boot(settings.kernel(), settings.initrd(), settings.cmdline());
            if (settings.consoleInput()) {
                ConsoleInput.forward(new FileInputStream(FileDescriptor.in), v);
            }
            outcome = "running";
            LOG.log(Level.INFO, String.format(Locale.ROOT, "vm: booting %s with %d MiB, %d device(s) on virtio-mmio",
                    settings.kernel(), settings.memory() >> 20, devices.size()));
            exit = v.run();
            exits = v.exitCount();
        } catch (Exception e) {
            LOG.log(Level.ERROR, "vm: cannot boot the guest", e);
            end(EXIT_BOOT_FAILED, "vm: cannot boot the guest: " + e);
            return;
        } finally {
            bus = null;
            vm = null;
        }
        String summary = String.format(Locale.ROOT, "vm: %s after %.2f s, %d exits", exit, (System.nanoTime() - start) / 1e9, exits);
        switch (exit.kind()) {
            case POWER_OFF, RESET, STOPPED -> end(EXIT_OK, summary);
            case CRASH -> end(EXIT_CRASH, summary);
            case KVM_FAILURE -> end(EXIT_NO_KVM, "KVM here cannot run a Linux guest: " + exit.detail());
        }
    }

    private void end(int status, String message) {
        outcome = message;
        ending.ended(status, message);
    }
}
