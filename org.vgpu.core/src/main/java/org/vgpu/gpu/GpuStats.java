package org.vgpu.gpu;

import java.util.Map;
import java.util.TreeMap;

import org.vgpu.gpu.command.CommandType;
import org.vgpu.gpu.protocol.Protocol;

/** Counters for vgpu:stats. Updated under the state lock; plain longs, no allocation per command. */
public final class GpuStats {
    /** One slot per {@link CommandType}, then "other": unknown codes and requests without a header. */
    private static final int OTHER = CommandType.count();

    private final long[] commands = new long[OTHER + 1];
    private final long[] errors = new long[Protocol.RESP_ERR_INVALID_PARAMETER - Protocol.RESP_ERR_UNSPEC + 1];
    private long bytesCopied;
    private long fences;
    /**
     * Per backend: {bytes TRANSFER copied, bytes TRANSFER shared, bytes displays read}; an entry is
     * allocated once per backend, not per command.
     */
    private final Map<String, long[]> counters = new TreeMap<>();

    void countCommand(CommandType type) {
        commands[type == null ? OTHER : type.ordinal()]++;
    }

    void countResponse(int type) {
        int e = type - Protocol.RESP_ERR_UNSPEC;
        if (e >= 0 && e < errors.length) {
            errors[e]++;
        }
    }

    void countFence() {
        fences++;
    }

    /** A TRANSFER of rectBytes through a backend that copied `copied` of them (a zero-copy backend shares the rest). */
    void addTransfer(String backend, long rectBytes, long copied) {
        bytesCopied += copied;
        long[] t = backendCounters(backend);
        t[0] += copied;
        t[1] += Math.max(0, rectBytes - copied);
    }

    /** A display sink (or screenshot) read bytes of a scanout held by backend: counted apart from TRANSFER. */
    void addDisplayRead(String backend, long bytes) {
        backendCounters(backend)[2] += bytes;
    }

    private long[] backendCounters(String backend) {
        long[] t = counters.get(backend);
        if (t == null) {
            t = new long[3];
            counters.put(backend, t);
        }
        return t;
    }

    /** Commands of a wire code so far (an unknown code: the "other" count). */
    public long commands(int type) {
        CommandType t = CommandType.of(type);
        return commands[t == null ? OTHER : t.ordinal()];
    }

    public long otherCommands() {
        return commands[OTHER];
    }

    public long errors(int responseType) {
        int e = responseType - Protocol.RESP_ERR_UNSPEC;
        return e >= 0 && e < errors.length ? errors[e] : 0;
    }

    public long bytesCopied() {
        return bytesCopied;
    }

    public long fences() {
        return fences;
    }

    /** Backend name -> {bytes copied, bytes shared} by TRANSFER_TO_HOST_2D, {bytes read by displays}. */
    public Map<String, long[]> countersByBackend() {
        return counters;
    }

    /** A consistent copy (taken under the state lock) for the shell. */
    GpuStats copy() {
        GpuStats c = new GpuStats();
        System.arraycopy(commands, 0, c.commands, 0, commands.length);
        System.arraycopy(errors, 0, c.errors, 0, errors.length);
        c.bytesCopied = bytesCopied;
        c.fences = fences;
        counters.forEach((k, v) -> c.counters.put(k, v.clone()));
        return c;
    }
}
