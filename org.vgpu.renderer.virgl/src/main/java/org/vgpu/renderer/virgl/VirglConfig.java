package org.vgpu.renderer.virgl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** ConfigAdmin schema of the virgl renderer (PID "org.vgpu.renderer.virgl"); without a configuration the defaults apply. */
@ObjectClassDefinition(id = VirglComponent.PID, name = "vgpu virgl renderer",
        description = "virglrenderer serving the VIRGL and VIRGL2 capsets of one GPU device of this process.")
public @interface VirglConfig {

    @AttributeDefinition(name = "Render node", description = "DRM render node for virglrenderer (e.g. /dev/dri/renderD128), used if it exists; "
            + "empty or absent: EGL surfaceless (Mesa's llvmpipe without a GPU).")
    String render_node() default "";

    @AttributeDefinition(name = "GLES", description = "Render with OpenGL ES instead of desktop OpenGL.")
    boolean gles() default false;
}
