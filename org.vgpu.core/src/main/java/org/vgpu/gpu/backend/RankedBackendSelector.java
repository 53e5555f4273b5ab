package org.vgpu.gpu.backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.vgpu.gpu.spi.BackendSelector;
import org.vgpu.gpu.spi.BackingList;
import org.vgpu.gpu.spi.Probe;
import org.vgpu.gpu.spi.ResourceBackend;
import org.vgpu.gpu.spi.ResourceSpec;

/**
 * Picks the backend per resource: a device override first, then the small-resource backend for
 * small resources, then the configured preference order, then the remaining backends by service
 * ranking; the first that accepts wins, and the reason names the rule and every decline before it.
 * A backend that leaves is first withdrawn from selection, then listeners move its resources.
 */
@Component(service = BackendSelector.class, configurationPid = SelectionPolicy.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SelectionPolicy.class)
public final class RankedBackendSelector implements BackendSelector {
    private record Ranked(ResourceBackend backend, int ranking) {
    }

    private final List<Ranked> backends = new CopyOnWriteArrayList<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Rules rules = Rules.DEFAULT;

    /** The policy as plain values (also what tests configure). */
    public record Rules(List<String> preference, long smallResourceBytes, String smallResourceBackend, Map<String, String> deviceOverrides) {
        static final Rules DEFAULT = new Rules(List.of("udmabuf", "hostmem", "copy"), 65536, "copy", Map.of());

        static Rules of(SelectionPolicy p) {
            Map<String, String> overrides = new LinkedHashMap<>();
            for (String entry : p.device_overrides()) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    overrides.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
                }
            }
            return new Rules(List.of(p.preference()), p.small_resource_bytes(), p.small_resource_backend(), overrides);
        }
    }

    public RankedBackendSelector() {
    }

    @Activate
    @Modified
    void configure(SelectionPolicy policy) {
        rules = Rules.of(policy);
    }

    public void setRules(Rules rules) {
        this.rules = rules;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addBackend(ResourceBackend backend, Map<String, Object> props) {
        Object r = props.get(Constants.SERVICE_RANKING);
        add(backend, r instanceof Integer ? (Integer) r : 0);
    }

    /** Withdraws the backend, then lets the devices move its resources while it still works. */
    public void removeBackend(ResourceBackend backend) {
        backends.removeIf(b -> b.backend == backend);
        for (Listener l : listeners) {
            l.backendLeaving(backend);
        }
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
        return select(null, spec, backing);
    }

    @Override
    public Selection select(String device, ResourceSpec spec, BackingList backing) {
        Rules r = rules;
        StringBuilder declines = new StringBuilder();
        for (Candidate c : candidates(r, device, spec)) {
            // A guest-mapped resource needs host memory the transport can map: only such backends are asked.
            Probe p = spec.hostVisible() && !c.backend.capabilities().hostVisibleMapping()
                    ? Probe.decline("no host memory it can map into the guest")
                    : c.backend.probe(spec, backing);
            if (p.accepts()) {
                String why = c.rule + ": " + c.backend.name() + " accepts (" + p.reason() + ")";
                return new Selection(c.backend, declines.length() == 0 ? why : why + "; " + declines);
            }
            if (declines.length() > 0) {
                declines.append("; ");
            }
            declines.append(c.backend.name()).append(" declined: ").append(p.reason());
        }
        return new Selection(null, backends.isEmpty() ? "no backend registered" : declines.toString());
    }

    private record Candidate(ResourceBackend backend, String rule) {
    }

    private List<Candidate> candidates(Rules r, String device, ResourceSpec spec) {
        List<Candidate> order = new ArrayList<>();
        String override = device == null ? null : r.deviceOverrides().get(device);
        if (override != null) {
            addNamed(order, override, "override for " + device);
        }
        if (spec.sizeBytes() <= r.smallResourceBytes()) {
            addNamed(order, r.smallResourceBackend(), "small resource (<= " + r.smallResourceBytes() + " bytes)");
        }
        for (int i = 0; i < r.preference().size(); i++) {
            addNamed(order, r.preference().get(i), "preference #" + (i + 1));
        }
        for (Ranked b : backends) {
            addIfAbsent(order, b.backend, "by service ranking");
        }
        return order;
    }

    private void addNamed(List<Candidate> order, String name, String rule) {
        for (Ranked b : backends) {
            if (b.backend.name().equals(name)) {
                addIfAbsent(order, b.backend, rule);
            }
        }
    }

    private static void addIfAbsent(List<Candidate> order, ResourceBackend backend, String rule) {
        for (Candidate c : order) {
            if (c.backend == backend) {
                return;
            }
        }
        order.add(new Candidate(backend, rule));
    }

    @Override
    public List<String> describePolicy() {
        Rules r = rules;
        List<String> lines = new ArrayList<>();
        lines.add("preference: " + String.join(", ", r.preference()));
        lines.add("small resources: <= " + r.smallResourceBytes() + " bytes try " + r.smallResourceBackend() + " first");
        lines.add("device overrides: " + (r.deviceOverrides().isEmpty() ? "none" : r.deviceOverrides()));
        return lines;
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(Listener listener) {
        listeners.remove(listener);
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
