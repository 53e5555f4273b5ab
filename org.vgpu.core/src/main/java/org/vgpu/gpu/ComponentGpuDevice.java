package org.vgpu.gpu;

import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.DisplaySink;

/**
 * The DS lifecycle shared by the GPU device components (inherited through bnd's
 * -dsannotations-options: inherit): live mode changes, display sinks, reset on deactivation.
 */
abstract class ComponentGpuDevice extends GpuDevice {

    ComponentGpuDevice(GpuConfig config, BackendSelector selector) {
        super(GpuSettings.from(config), selector);
    }

    /** Only the preferred mode can change live; scanout count and quota need a new instance. */
    @Modified
    void modified(GpuConfig config) {
        setPreferredMode(config.width(), config.height());
    }

    @Deactivate
    void deactivate() {
        close();
        reset();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSink(DisplaySink sink) {
        addSink(sink);
    }

    void unbindSink(DisplaySink sink) {
        removeSink(sink);
    }

    /** Context types (cross-domain, hot-loaded ones): offered after the next device reset, gone at once. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindContextType(ContextType type) {
        addContextType(type);
    }

    void unbindContextType(ContextType type) {
        removeContextType(type);
    }
}
