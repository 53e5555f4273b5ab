package org.vgpu.renderer.virgl;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.vgpu.gpu.context.ContextType;

/**
 * Registers the capsets of the process's virglrenderer as {@link ContextType} services (VIRGL and
 * VIRGL2): GPU devices then offer VIRGL. The library is loaded and virglrenderer started on first
 * use ({@link VirglStarter}); a capset it does not report, or a start that fails (no library, no
 * EGL), is not offered. Stopping unregisters the services first
 * (each device destroys its virgl contexts and closes its renderer: their commands get error
 * responses, the resources stay dead until unreferenced), then cleans virglrenderer up.
 */
@Component(name = VirglComponent.PID, service = {}, immediate = true, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = VirglConfig.class)
public final class VirglComponent {
    static final String PID = "org.vgpu.renderer.virgl";
    static final System.Logger LOG = System.getLogger(VirglComponent.class.getName());

    /** Framework (or system) property: "false" keeps the renderer off, so devices stay 2D with the bundle in the profile. */
    static final String ENABLED_PROPERTY = "vgpu.virgl";
    /** Framework (or system) property: the render node when the configuration names none (./vgpu --render-node, as libvirt passes it). */
    static final String RENDER_NODE_PROPERTY = "vgpu.virgl.render-node";

    private final VirglStarter virgl;
    private final List<ServiceRegistration<ContextType>> registrations = new ArrayList<>();

    @Activate
    public VirglComponent(VirglConfig config, BundleContext context) {
        if ("false".equals(context.getProperty(ENABLED_PROPERTY))) {
            virgl = null;
            LOG.log(Level.INFO, "virgl renderer off ({0}=false): devices stay 2D", ENABLED_PROPERTY);
            return;
        }
        String node = config.render_node().isBlank() && context.getProperty(RENDER_NODE_PROPERTY) != null
                ? context.getProperty(RENDER_NODE_PROPERTY) : config.render_node();
        virgl = new VirglStarter(new Virgl.Options(config.gles(), node));
        for (int id = 1; id <= 2; id++) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("vgpu.capset.id", id);
            registrations.add(context.registerService(ContextType.class, new VirglContextType(virgl, id), props));
        }
        LOG.log(Level.INFO, "virgl renderer offered (virglrenderer starts on first use)");
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<ContextType> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
        registrations.clear();
        if (virgl != null) {
            virgl.stop();
        }
    }
}
