package org.vgpu.gpu.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vgpu.core.shell.Table;
import org.vgpu.gpu.Frame;
import org.vgpu.gpu.GpuInspection;
import org.vgpu.gpu.GpuState;
import org.vgpu.gpu.GpuStats;
import org.vgpu.gpu.png.Screenshot;
import org.vgpu.gpu.command.CommandType;
import org.vgpu.gpu.protocol.Protocol;

/**
 * Gogo commands that inspect GPU devices: vgpu:resources, resource, scanouts, stats, screenshot. They
 * see a device only through its {@link GpuInspection} service.
 */
@Component(service = GpuCommands.class, property = {
    "osgi.command.scope=vgpu",
    "osgi.command.function=resources",
    "osgi.command.function=resource",
    "osgi.command.function=scanouts",
    "osgi.command.function=contexts",
    "osgi.command.function=stats",
    "osgi.command.function=screenshot",
})
public final class GpuCommands {
    private final List<GpuInspection> devices = new CopyOnWriteArrayList<>();
    private final PrintStream out;

    public GpuCommands() {
        this(System.out);
    }

    GpuCommands(PrintStream out) {
        this.out = out;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDevice(GpuInspection device) {
        devices.add(device);
    }

    void removeDevice(GpuInspection device) {
        devices.remove(device);
    }

    private List<GpuInspection> select(String name) {
        List<GpuInspection> list = new ArrayList<>();
        for (GpuInspection d : devices) {
            if (name == null || d.name().equals(name)) {
                list.add(d);
            }
        }
        if (list.isEmpty()) {
            out.println(name == null ? "no GPU devices" : "no GPU device " + name);
        }
        return list;
    }

    @Descriptor("lists the resources of every GPU device")
    public void resources() {
        resources(null);
    }

    @Descriptor("lists the resources of a GPU device")
    public void resources(@Descriptor("device name, e.g. gpu0") String device) {
        Table t = new Table("DEVICE", "ID", "FORMAT", "SIZE", "BACKEND", "BACKING", "HOST BYTES", "SCANOUTS");
        for (GpuInspection d : select(device)) {
            for (GpuState.ResourceInfo r : d.resources()) {
                t.row(d.name(), Integer.toUnsignedString(r.id()), Protocol.formatName(r.format()), r.width() + "x" + r.height(),
                        r.backend(), r.backingEntries() + " entries", r.hostBytes(), r.scanouts().isEmpty() ? "-" : r.scanouts());
            }
        }
        t.print(out);
    }

    @Descriptor("shows one resource: backing, UUID and why its backend was chosen")
    public void resource(@Descriptor("resource id") long id) {
        boolean found = false;
        for (GpuInspection d : devices) {
            GpuState.ResourceInfo r = d.resource((int) id);
            if (r == null) {
                continue;
            }
            found = true;
            Table t = new Table("FIELD", "VALUE");
            t.row("device", d.name());
            t.row("id", Integer.toUnsignedString(r.id()));
            t.row("format", Protocol.formatName(r.format()) + " (" + r.format() + ")");
            t.row("size", r.width() + "x" + r.height() + " (" + (long) r.width() * r.height() * 4 + " bytes)");
            t.row("backend", r.backend());
            t.row("backend reason", r.backendReason());
            t.row("backing", r.backingEntries() + " entries, " + r.backingBytes() + " bytes");
            t.row("host bytes", r.hostBytes());
            t.row("scanouts", r.scanouts().isEmpty() ? "-" : r.scanouts());
            t.row("uuid", r.uuid() == null ? "(not assigned)" : r.uuid());
            t.row("guest mapping", r.mappedAt() < 0 ? "-" : "host-visible region offset 0x" + Long.toHexString(r.mappedAt()));
            t.row("dma-buf", r.dmabuf() == null ? "-" : "fd " + r.dmabuf().fd() + ", " + r.dmabuf().width() + "x"
                    + r.dmabuf().height() + ", stride " + r.dmabuf().stride() + ", fourcc 0x" + Integer.toHexString(r.dmabuf().drmFourcc()));
            t.print(out);
        }
        if (!found) {
            out.println("no resource " + id);
        }
    }

    @Descriptor("lists the rendering contexts (cross-domain) of every GPU device")
    public void contexts() {
        Table t = new Table("DEVICE", "CTX", "CONTEXT");
        for (GpuInspection d : select(null)) {
            d.contexts().forEach((id, what) -> t.row(d.name(), Integer.toUnsignedString(id), what));
        }
        if (t.isEmpty()) {
            out.println("no contexts (context types: cross-domain with cross.domain=true, or a context-type bundle in load/)");
        } else {
            t.print(out);
        }
    }

    @Descriptor("lists the scanouts of every GPU device")
    public void scanouts() {
        Table t = new Table("DEVICE", "SCANOUT", "PREFERRED", "EDID", "RESOURCE", "RECT", "CURSOR");
        for (GpuInspection d : select(null)) {
            GpuState.CursorInfo c = d.cursor();
            for (GpuState.ScanoutInfo s : d.scanouts()) {
                String cursor = c.visible() && c.scanoutId() == s.id()
                        ? "(" + c.x() + "," + c.y() + ") hot (" + c.hotX() + "," + c.hotY() + ")" : "-";
                t.row(d.name(), s.id(), s.preferredWidth() + "x" + s.preferredHeight(), s.edid(),
                        s.resourceId() == 0 ? "disabled" : Integer.toUnsignedString(s.resourceId()),
                        s.resourceId() == 0 ? "-" : s.width() + "x" + s.height() + "+" + s.x() + "+" + s.y(), cursor);
            }
        }
        t.print(out);
    }

    @Descriptor("command, error, copy and fence counters of every GPU device")
    public void stats() {
        stats(null);
    }

    @Descriptor("command, error, copy and fence counters of one GPU device")
    public void stats(@Descriptor("device name") String device) {
        for (GpuInspection d : select(device)) {
            GpuStats s = d.stats();
            out.println(d.name() + ": " + s.bytesCopied() + " bytes copied, " + s.fences() + " fences, host memory "
                    + d.usedBytes() + " / " + d.quotaBytes() + " bytes");
            Table t = new Table("COMMAND", "COUNT");
            for (int i = 0; i < CommandType.count(); i++) {
                CommandType type = CommandType.at(i);
                t.row(type.name(), s.commands(type.code()));
            }
            t.row("other", s.otherCommands());
            t.print(out);
            Table e = new Table("ERROR", "COUNT");
            for (int code = Protocol.RESP_ERR_UNSPEC; code <= Protocol.RESP_ERR_INVALID_PARAMETER; code++) {
                e.row(Protocol.responseName(code), s.errors(code));
            }
            e.print(out);
            // TRANSFER_TO_HOST bytes a backend copied or shared, and bytes displays read from it.
            Table b = new Table("BACKEND", "BYTES COPIED", "BYTES SHARED", "DISPLAY READ");
            s.countersByBackend().forEach((name, bytes) -> b.row(name, bytes[0], bytes[1], bytes[2]));
            if (!b.isEmpty()) {
                b.print(out);
            }
        }
    }

    @Descriptor("writes a scanout as the guest sees it to a PNG file")
    public void screenshot(
            @Descriptor("blend the cursor in") @Parameter(names = {"-c", "--cursor"}, presentValue = "true", absentValue = "false") boolean cursor,
            @Descriptor("device name") String device,
            @Descriptor("scanout id") int scanout,
            @Descriptor("PNG file") String file) throws IOException {
        for (GpuInspection d : select(device)) {
            Frame f = Screenshot.write(d, scanout, cursor, Path.of(file));
            out.println(f == null ? "scanout " + scanout + " of " + device + " is disabled"
                    : "wrote " + f.width() + "x" + f.height() + " to " + Path.of(file).toAbsolutePath());
        }
    }

    @Descriptor("writes a scanout as the guest sees it to a PNG file")
    public void screenshot(@Descriptor("device name") String device, @Descriptor("scanout id") int scanout,
            @Descriptor("PNG file") String file) throws IOException {
        screenshot(false, device, scanout, file);
    }
}
