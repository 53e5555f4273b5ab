package org.vgpu.core.shell;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.tracker.ServiceTracker;
import org.vgpu.virtio.api.VirtioDevice;

/**
 * Runs the Gogo script given in the {@code vgpu.exec} property once the framework has started,
 * prints its output, then stops the platform ({@code ./vgpu -c 'CMD'}). Gogo's own {@code -c}
 * may run before the vgpu commands are registered and has no exit status, hence this component.
 */
@Component(immediate = true)
public final class ScriptRunner implements FrameworkListener {
    public static final String EXEC_PROPERTY = "vgpu.exec";
    /** Exit status when the script threw: the launcher maps a clean framework stop to 0. */
    static final int FAILED = 2;

    /** The factory configurations that make devices. */
    private static final String DEVICE_CONFIGURATIONS = "(service.factoryPid=org.vgpu.gpu)";
    /** The component that keeps gpu0's configuration. */
    private static final String DEFAULT_DEVICE_COMPONENT = "org.vgpu.gpu.default";
    private static final Pattern QUALIFIED_COMMAND = Pattern.compile("\\b([a-z][a-z0-9]*):([a-zA-Z][a-zA-Z0-9]*)\\b");

    private final CommandProcessor processor;
    private final BundleContext context;
    private final String script;
    private volatile boolean started;
    /**
     * ConfigAdmin and SCR, held from the first look until this component goes. ConfigAdmin is a
     * per-bundle service factory: getting and ungetting it in a polling loop let its use count by
     * this bundle fall to 0 and the framework dispose the bundle's ConfigurationAdmin object while
     * SCR was handing that same object to this bundle's gpu0 component, whose constructor then
     * failed ("Configuration Admin service has been unregistered": no gpu0, seen under load).
     */
    private ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> configAdmin;
    private ServiceTracker<ServiceComponentRuntime, ServiceComponentRuntime> scr;

    @Activate
    public ScriptRunner(@Reference CommandProcessor processor, BundleContext context) {
        this.processor = processor;
        this.context = context;
        this.script = context.getProperty(EXEC_PROPERTY);
        if (script == null || script.isBlank()) {
            return;
        }
        context.addFrameworkListener(this);
        if (context.getBundle(0).getState() == Bundle.ACTIVE) {
            startOnce();
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.STARTED) {
            startOnce();
        }
    }

    private synchronized void startOnce() {
        if (started) {
            return;
        }
        started = true;
        Thread runner = new Thread(this::run, "vgpu-exec");
        runner.setDaemon(true);
        runner.start();
    }

    private void run() {
        // The process's real stdout/stderr: System.out is Gogo's thread-routed stream, and a
        // session writing into it would loop back into itself.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        awaitCommands(script, 5_000);
        awaitConfiguredDevices(5_000);
        int status = 0;
        try (CommandSession session = processor.createSession(System.in, out, err)) {
            Object result = session.execute(script);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
        } catch (Exception e) {
            Throwable cause = e;
            while (cause instanceof java.lang.reflect.InvocationTargetException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            err.println("vgpu: " + cause);
            if (Boolean.getBoolean("vgpu.debug")) {
                cause.printStackTrace(err);
            }
            status = FAILED;
        }
        out.flush();
        if (status != 0) {
            System.exit(status); // the launcher's shutdown hook still stops the framework
        }
        try {
            context.getBundle(0).stop();
        } catch (Exception e) {
            System.exit(FAILED);
        }
    }

    /**
     * Components of bundles started together may register their commands just after the framework
     * reports STARTED: wait (bounded) until every scope:function named in the script is registered.
     */
    private void awaitCommands(String text, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Matcher m = QUALIFIED_COMMAND.matcher(text);
        while (m.find()) {
            String filter = "(&(" + CommandProcessor.COMMAND_SCOPE + "=" + m.group(1) + ")("
                    + CommandProcessor.COMMAND_FUNCTION + "=" + m.group(2) + "))";
            try {
                while (context.getServiceReferences((String) null, filter) == null
                        && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
            } catch (InvalidSyntaxException | InterruptedException e) {
                return; // let Gogo report whatever is wrong
            }
        }
    }

    /**
     * Devices are DS components of ConfigAdmin factory configurations (gpu0's too, written by the
     * component org.vgpu.gpu.default, which may activate just after STARTED), and ConfigAdmin
     * delivers them on its own thread: wait (bounded) until that component is active (if enabled)
     * and each configured device is registered, so that {@code ./vgpu -c 'vgpu:devices'} shows them.
     */
    private void awaitConfiguredDevices(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (this) {
            configAdmin = new ServiceTracker<>(context, ConfigurationAdmin.class, null);
            configAdmin.open();
            scr = new ServiceTracker<>(context, ServiceComponentRuntime.class, null);
            scr.open();
        }
        try {
            while (!devicesSettled() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // run the script anyway
        }
    }

    private boolean devicesSettled() {
        if (!allBundlesStarted()) {
            return false;
        }
        ServiceComponentRuntime runtime = scr.getService();
        ConfigurationAdmin cm = configAdmin.getService();
        if (runtime == null || cm == null) {
            return false;
        }
        try {
            ComponentDescriptionDTO d = runtime.getComponentDescriptionDTO(context.getBundle(), DEFAULT_DEVICE_COMPONENT);
            if (d == null || runtime.isComponentEnabled(d)
                    && runtime.getComponentConfigurationDTOs(d).stream().noneMatch(c -> c.state == ComponentConfigurationDTO.ACTIVE)) {
                return false;
            }
            Configuration[] configs = cm.listConfigurations(DEVICE_CONFIGURATIONS);
            for (Configuration c : configs == null ? new Configuration[0] : configs) {
                if (context.getServiceReferences(VirtioDevice.class, "(" + Constants.SERVICE_PID + "=" + c.getPid() + ")").isEmpty()) {
                    return false;
                }
            }
            return true;
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            return true; // let the script run and report
        }
    }

    /**
     * The launcher starts the profile's bundles one after another, after the framework itself, so
     * this component may run while later bundles (the virgl renderer, whose context types decide
     * what a GPU offers) have not started: wait until every installed bundle is active.
     */
    private boolean allBundlesStarted() {
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                return false;
            }
        }
        return true;
    }

    @Deactivate
    synchronized void deactivate() {
        if (script != null && !script.isBlank()) {
            context.removeFrameworkListener(this);
        }
        if (configAdmin != null) {
            configAdmin.close();
            scr.close();
        }
    }
}
