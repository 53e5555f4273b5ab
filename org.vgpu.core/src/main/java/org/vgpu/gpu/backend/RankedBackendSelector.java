package org.vgpu.gpu.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;

/**
 * Picks, per resource, the highest-ranked backend that accepts it, and records the refusals of
 * the better-ranked ones as the reason (e.g. "copy: udmabuf refused: backing not in a memfd").
 */
@Component(service = BackendSelector.class)
public final class RankedBackendSelector implements BackendSelector {

    private record Ranked(ResourceBackend backend, int ranking) {
    }

    private final List<Ranked> backends = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addBackend(ResourceBackend backend, Map<String, Object> props) {
        Object r = props.get(Constants.SERVICE_RANKING);
        add(backend, r instanceof Integer ? (Integer) r : 0);
    }

    public void removeBackend(ResourceBackend backend) {
        backends.removeIf(b -> b.backend == backend);
    }

    /** Adds a backend outside OSGi (tests, benchmarks); higher ranking is tried first. */
    public synchronized void add(ResourceBackend backend, int ranking) {
        List<Ranked> sorted = new ArrayList<>(backends);
        sorted.add(new Ranked(backend, ranking));
        sorted.sort((a, b) -> Integer.compare(b.ranking, a.ranking));
        backends.clear();
        backends.addAll(sorted);
    }

    @Override
    public Selection select(ResourceSpec spec, BackingList backing) {
        StringBuilder refusals = new StringBuilder();
        for (Ranked r : backends) {
            String refusal = r.backend.refusal(spec, backing);
            if (refusal == null) {
                String why = refusals.length() == 0
                        ? "highest-ranked of " + backends.size() + " backend(s) that accepts it"
                        : refusals.toString();
                return new Selection(r.backend, why);
            }
            if (refusals.length() > 0) {
                refusals.append("; ");
            }
            refusals.append(r.backend.name()).append(" refused: ").append(refusal);
        }
        return new Selection(null, backends.isEmpty() ? "no backend registered" : refusals.toString());
    }

    @Override
    public List<ResourceBackend> backends() {
        List<ResourceBackend> list = new ArrayList<>();
        for (Ranked r : backends) {
            list.add(r.backend);
        }
        return list;
    }
}
