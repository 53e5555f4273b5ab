package org.vgpu.mmio.platform;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.UnaryOperator;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Turns {@code ./vgpu vm}'s options (framework properties vgpu.vm.*) into the org.vgpu.vm
 * configuration, and --cross-domain into gpu0's cross.domain, so the command line and
 * ConfigAdmin files configure the VM the same way. Configurations it wrote are marked, and
 * deleted again by a run without those options. gpu0 is a factory configuration that the
 * org.vgpu.gpu.default component keeps (and makes anew when cross.domain changes): with
 * --cross-domain the VM waits for the gpu0 that has it, not the one from before the change.
 * The VM gets the default keyboard0 and tablet0 too (and waits for all three), unless
 * vgpu.vm.input=false (gpu0 only).
 */
@Component(immediate = true)
public final class CommandLineVm {
    static final String KERNEL = "vgpu.vm.kernel";
    static final String INITRD = "vgpu.vm.initrd";
    static final String APPEND = "vgpu.vm.append";
    static final String MEMORY = "vgpu.vm.memory";
    static final String HOST_VISIBLE_SIZE = "vgpu.vm.host-visible-size";
    static final String CROSS_DOMAIN = "vgpu.vm.cross-domain";
    static final String CONSOLE_INPUT = "vgpu.vm.console-input";
    /** false: the VM gets gpu0 only, not the default keyboard0 and tablet0 (./vgpu vm --no-input). */
    static final String INPUT = "vgpu.vm.input";
    /** The default input devices (org.vgpu.input.default keeps them) that ./vgpu vm gives the guest beside gpu0. */
    static final String INPUT_DEVICES = "(vgpu.device.name=keyboard0)(vgpu.device.name=tablet0)";
    static final String DEFAULT_GPU_PID = "org.vgpu.gpu.default";
    /** Marks a configuration as written from the command line. */
    static final String SOURCE = "vgpu.source";
    private static final System.Logger LOG = System.getLogger(CommandLineVm.class.getName());

    @Activate
    public CommandLineVm(BundleContext context, @Reference ConfigurationAdmin configAdmin) throws IOException {
        Configuration gpu = configAdmin.getConfiguration(DEFAULT_GPU_PID, "?");
        Configuration vm = configAdmin.getConfiguration(MicroVmComponent.PID, "?");
        String kernel = context.getProperty(KERNEL);
        if (kernel == null || kernel.isBlank()) {
            deleteIfOurs(vm);
            deleteIfOurs(gpu);
            return;
        }
        // The GPU first: a later change would restart the VM that uses it.
        boolean crossDomain = Boolean.parseBoolean(context.getProperty(CROSS_DOMAIN));
        if (crossDomain) {
            Dictionary<String, Object> props = gpu.getProperties() != null ? gpu.getProperties() : new Hashtable<>();
            props.put("cross.domain", true);
            props.put(SOURCE, "cli");
            gpu.updateIfDifferent(props);
        } else {
            deleteIfOurs(gpu);
        }
        Dictionary<String, Object> props = vmProperties(context::getProperty);
        vm.updateIfDifferent(props);
        LOG.log(Level.INFO, "micro-VM from the command line: " + props);
    }

    /**
     * The org.vgpu.vm configuration for these framework properties (vgpu.vm.kernel is set): a pure
     * function of them, so what the command line makes of each option is testable without a framework.
     */
    static Dictionary<String, Object> vmProperties(UnaryOperator<String> frameworkProperty) {
        boolean crossDomain = Boolean.parseBoolean(frameworkProperty.apply(CROSS_DOMAIN));
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("kernel", frameworkProperty.apply(KERNEL));
        copy(frameworkProperty, INITRD, "initrd", props);
        copy(frameworkProperty, APPEND, "append", props);
        copy(frameworkProperty, MEMORY, "memory", props);
        copy(frameworkProperty, HOST_VISIBLE_SIZE, "host.visible.size", props);
        props.put("console.input", Boolean.parseBoolean(frameworkProperty.apply(CONSOLE_INPUT)));
        String gpuFilter = crossDomain ? "(&(vgpu.device.name=gpu0)(cross.domain=true))" : "(vgpu.device.name=gpu0)";
        if (!"false".equalsIgnoreCase(frameworkProperty.apply(INPUT))) {
            // All three before the VM starts: a device that comes later would not be on its bus.
            props.put("devices.target", "(|" + gpuFilter + INPUT_DEVICES + ")");
            props.put("devices.cardinality.minimum", 3);
        } else {
            props.put("devices.target", gpuFilter);
        }
        props.put(SOURCE, "cli");
        return props;
    }

    private static void copy(UnaryOperator<String> frameworkProperty, String property, String key, Dictionary<String, Object> props) {
        String value = frameworkProperty.apply(property);
        if (value != null && !value.isBlank()) {
            props.put(key, value);
        }
    }

    private static void deleteIfOurs(Configuration c) throws IOException {
        Dictionary<String, Object> props = c.getProperties();
        if (props != null && "cli".equals(props.get(SOURCE))) {
            c.delete();
        }
    }
}
