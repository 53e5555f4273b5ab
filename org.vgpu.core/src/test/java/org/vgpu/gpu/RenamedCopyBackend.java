package org.vgpu.gpu;

import org.vgpu.gpu.backend.copy.CopyBackend;
import org.vgpu.gpu.spi.BackendCapabilities;
import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.BackendResource;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;

/** A second backend for migration tests and benchmarks: shadow copies of its own, under another name. */
public final class RenamedCopyBackend implements ResourceBackend {
    final String name;
    volatile String declineReason;
    private final CopyBackend storage = new CopyBackend();

    public RenamedCopyBackend(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BackendCapabilities capabilities() {
        return storage.capabilities();
    }

    @Override
    public Probe probe(ResourceSpec spec, BackingList backing) {
        return declineReason != null ? Probe.decline(declineReason) : Probe.accept("test backend " + name);
    }

    @Override
    public BackendResource create(ResourceSpec spec) throws BackendException {
        return storage.create(spec);
    }
}
