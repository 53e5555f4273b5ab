package org.vgpu.display.vnc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.vgpu.gpu.spi.DisplaySink;
import org.vgpu.gpu.spi.ScanoutPixels;
import org.vgpu.input.spi.InputTarget;

/**
 * One VNC server per configuration of factory PID {@value #PID}: a display sink for its scanout,
 * bound to whatever virtio-input devices come and go for the same display.
 */
@Component(service = {DisplaySink.class, VncServerComponent.class}, configurationPid = VncServerComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = VncConfig.class, factory = true)
public final class VncServerComponent implements DisplaySink {
    static final String PID = "org.vgpu.vnc";

    private final InputRouter input = new InputRouter();
    private final VncServer server;

    @Activate
    public VncServerComponent(VncConfig config) throws IOException {
        server = new VncServer(VncSettings.of(config.listen(), config.device_name(), config.scanout(), config.password(),
                config.max_clients(), config.max_cut_text(), config.encodings()), input);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindInput(InputTarget target, Map<String, Object> properties) {
        Object display = properties.get(InputTarget.PROP_DISPLAY);
        input.add(target, display != null ? display.toString() : null);
    }

    void unbindInput(InputTarget target) {
        input.remove(target);
    }

    @Deactivate
    void deactivate() {
        server.close();
    }

    VncServer server() {
        return server;
    }

    InputRouter input() {
        return input;
    }

    @Override
    public void scanoutConfigured(String device, int scanoutId, int width, int height) {
        server.scanoutConfigured(device, scanoutId, width, height);
    }

    @Override
    public void scanoutDisabled(String device, int scanoutId) {
        server.scanoutDisabled(device, scanoutId);
    }

    @Override
    public void damaged(String device, int scanoutId, int x, int y, int width, int height, ScanoutPixels pixels) {
        server.damaged(device, scanoutId, x, y, width, height, pixels);
    }

    @Override
    public void cursorImage(String device, int scanoutId, ByteBuffer argb, int hotX, int hotY) {
        server.cursorImage(device, scanoutId, argb, hotX, hotY);
    }

    @Override
    public void cursorMoved(String device, int scanoutId, int x, int y) {
        server.cursorMoved(device, scanoutId, x, y);
    }

    @Override
    public void cursorHidden(String device, int scanoutId) {
        server.cursorHidden(device, scanoutId);
    }
}
