package org.vgpu.display.vnc;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vgpu.gpu.spi.DisplaySink;

/** vgpu:displays: every display sink, and for VNC servers their address, scanout, input devices and clients. */
@Component(service = VncCommands.class, property = {"osgi.command.scope=vgpu", "osgi.command.function=displays"})
public final class VncCommands {
    private final List<DisplaySink> sinks = new CopyOnWriteArrayList<>();
    private final PrintStream out;

    public VncCommands() {
        this(System.out);
    }

    VncCommands(PrintStream out) {
        this.out = out;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSink(DisplaySink sink) {
        sinks.add(sink);
    }

    void removeSink(DisplaySink sink) {
        sinks.remove(sink);
    }

    @Descriptor("lists the display sinks (VNC servers with their clients, vhost-user display channels, ...)")
    public void displays() {
        if (sinks.isEmpty()) {
            out.println("no display sinks");
        }
        for (DisplaySink sink : sinks) {
            if (sink instanceof VncServerComponent vnc) {
                describe(vnc);
            } else {
                out.println(sink.getClass().getSimpleName());
            }
        }
    }

    private void describe(VncServerComponent vnc) {
        VncServer s = vnc.server();
        VncSettings c = s.settings();
        Framebuffer fb = s.framebuffer();
        int w, h;
        synchronized (fb) {
            w = fb.width;
            h = fb.height;
        }
        out.println("vnc " + s.address() + " " + c.device() + " scanout " + c.scanout() + " " + w + "x" + h
                + (c.authenticates() ? " password" : " no-auth") + " clients " + s.clients().size() + "/" + c.maxClients());
        for (InputRouter.Bound b : vnc.input().targets()) {
            if (b.display().equals(c.device())) {
                out.println("  input " + b.target().name() + " (" + b.target().kind() + ")");
            }
        }
        for (VncClient client : s.clients()) {
            out.println("  client " + client.describe());
        }
    }
}
