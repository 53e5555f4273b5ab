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
    private final boolean posesAsZeroCopy;

    public RenamedCopyBackend(String name) {
        this(name, false);
    }

    /** posesAsZeroCopy: reports zeroCopy and, like one, declines a resource without guest pages. */
    public RenamedCopyBackend(String name, boolean posesAsZeroCopy) {
        this.name = name;
        this.posesAsZeroCopy = posesAsZeroCopy;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BackendCapabilities capabilities() {
        BackendCapabilities c = storage.capabilities();
        return posesAsZeroCopy ? new BackendCapabilities(true, true, false, c.maxResourceBytes()) : c;
    }

    @Override
    public Probe probe(ResourceSpec spec, BackingList backing) {
        if (posesAsZeroCopy && backing == null) {
            return Probe.decline("needs the guest pages");
        }
        return declineReason != null ? Probe.decline(declineReason) : Probe.accept("test backend " + name);
    }

    @Override
    public BackendResource create(ResourceSpec spec) throws BackendException {
        return storage.create(spec);
    }
}
