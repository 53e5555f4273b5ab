package org.vgpu.mmio.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;

/**
 * Which devices the VM from ./vgpu vm waits for: its configuration's devices.target, checked by
 * matching it against device service properties (OSGi's own filter implementation), and
 * devices.cardinality.minimum.
 */
class CommandLineVmTest {

    private static Dictionary<String, Object> vm(String... frameworkProperties) {
        Map<String, String> p = new HashMap<>();
        p.put(CommandLineVm.KERNEL, "/boot/bzImage");
        for (int i = 0; i < frameworkProperties.length; i += 2) {
            p.put(frameworkProperties[i], frameworkProperties[i + 1]);
        }
        return CommandLineVm.vmProperties(p::get);
    }

    private static Filter target(Dictionary<String, Object> vm) throws Exception {
        return FrameworkUtil.createFilter((String) vm.get("devices.target"));
    }

    private static Map<String, Object> device(String name, Object... more) {
        Map<String, Object> props = new HashMap<>();
        props.put("vgpu.device.name", name);
        for (int i = 0; i < more.length; i += 2) {
            props.put((String) more[i], more[i + 1]);
        }
        return props;
    }

    @Test
    void byDefaultTheVmWaitsForGpu0Keyboard0AndTablet0() throws Exception {
        Dictionary<String, Object> vm = vm();
        Filter f = target(vm);
        assertTrue(f.matches(device("gpu0")), f.toString());
        assertTrue(f.matches(device("keyboard0")), f.toString());
        assertTrue(f.matches(device("tablet0")), f.toString());
        assertFalse(f.matches(device("gpu1")), "another GPU is not this VM's");
        assertFalse(f.matches(device("keyboard1")), "another keyboard is not this VM's");
        assertEquals(3, vm.get("devices.cardinality.minimum"), "all three before the VM starts");
        assertEquals("/boot/bzImage", vm.get("kernel"));
        assertEquals("cli", vm.get(CommandLineVm.SOURCE));
    }

    @Test
    void inputTrueIsTheDefault() throws Exception {
        Dictionary<String, Object> vm = vm(CommandLineVm.INPUT, "true");
        assertTrue(target(vm).matches(device("tablet0")));
        assertEquals(3, vm.get("devices.cardinality.minimum"));
    }

    @Test
    void noInputGivesGpu0Only() throws Exception {
        for (String no : new String[] {"false", "FALSE"}) {
            Dictionary<String, Object> vm = vm(CommandLineVm.INPUT, no);
            Filter f = target(vm);
            assertTrue(f.matches(device("gpu0")), f.toString());
            assertFalse(f.matches(device("keyboard0")), f.toString());
            assertFalse(f.matches(device("tablet0")), f.toString());
            assertNull(vm.get("devices.cardinality.minimum"), "the component's default minimum (one device)");
        }
    }

    @Test
    void crossDomainWaitsForTheGpu0WithCrossDomainAndTheInputDevices() throws Exception {
        Dictionary<String, Object> vm = vm(CommandLineVm.CROSS_DOMAIN, "true");
        Filter f = target(vm);
        assertTrue(f.matches(device("gpu0", "cross.domain", true)), f.toString());
        assertFalse(f.matches(device("gpu0", "cross.domain", false)), "the gpu0 from before the change");
        assertFalse(f.matches(device("gpu0")), "the gpu0 from before the change");
        assertTrue(f.matches(device("keyboard0")), f.toString());
        assertTrue(f.matches(device("tablet0")), f.toString());
        assertEquals(3, vm.get("devices.cardinality.minimum"));
    }

    @Test
    void crossDomainWithoutInputGivesTheGpu0WithCrossDomainOnly() throws Exception {
        Dictionary<String, Object> vm = vm(CommandLineVm.CROSS_DOMAIN, "true", CommandLineVm.INPUT, "false");
        Filter f = target(vm);
        assertTrue(f.matches(device("gpu0", "cross.domain", true)), f.toString());
        assertFalse(f.matches(device("gpu0")), "the gpu0 from before the change");
        assertFalse(f.matches(device("keyboard0")), f.toString());
        assertFalse(f.matches(device("tablet0")), f.toString());
        assertNull(vm.get("devices.cardinality.minimum"));
    }

    @Test
    void otherOptionsAreCopiedWhenSet() {
        Dictionary<String, Object> vm = vm(CommandLineVm.INITRD, "/tmp/initrd", CommandLineVm.APPEND, "console=ttyS0",
                CommandLineVm.MEMORY, "512M", CommandLineVm.HOST_VISIBLE_SIZE, " ", CommandLineVm.CONSOLE_INPUT, "true");
        assertEquals("/tmp/initrd", vm.get("initrd"));
        assertEquals("console=ttyS0", vm.get("append"));
        assertEquals("512M", vm.get("memory"));
        assertNull(vm.get("host.visible.size"), "a blank option is not set");
        assertEquals(true, vm.get("console.input"));
        assertEquals(false, vm().get("console.input"));
    }
}
