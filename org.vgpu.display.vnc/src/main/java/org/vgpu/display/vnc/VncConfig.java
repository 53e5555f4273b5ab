package org.vgpu.display.vnc;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "vgpu VNC server", description = "A VNC (RFB 3.8) server showing one scanout of a GPU device; "
        + "its clients' keyboard and pointer go to the virtio-input devices of the same display.")
public @interface VncConfig {
    @AttributeDefinition(name = "listen", description = "host:port (TCP; 127.0.0.1 keeps it local) or a UNIX socket path "
            + "(/path or unix:/path, mode 0600)")
    String listen() default "127.0.0.1:5900";

    @AttributeDefinition(name = "device name", description = "The GPU device whose scanout is shown, e.g. gpu0")
    String device_name() default "gpu0";

    @AttributeDefinition(name = "scanout", description = "The scanout id shown (0..15)")
    int scanout() default 0;

    @AttributeDefinition(name = "password", type = AttributeType.PASSWORD, description = "VNC password (RFB security type 2; "
            + "only its first 8 characters count, as in every VNC). Empty: no authentication (security type None)")
    String password() default "";

    @AttributeDefinition(name = "max clients", description = "Connections at once (1..64); more are refused")
    int max_clients() default 4;

    @AttributeDefinition(name = "max cut text", description = "Longest ClientCutText accepted, bytes; a longer one disconnects the client")
    int max_cut_text() default 1 << 20;

    @AttributeDefinition(name = "encodings", description = "Pixel encodings the server may use, taken in the client's order of "
            + "preference: zrle, raw (raw is the fallback for clients that list neither)")
    String[] encodings() default {"zrle", "raw"};
}
