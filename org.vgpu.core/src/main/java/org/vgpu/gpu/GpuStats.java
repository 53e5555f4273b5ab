package org.vgpu.gpu;

import java.util.Map;
import java.util.TreeMap;

import org.vgpu.gpu.protocol.Protocol;

/** Counters for vgpu:stats. Updated under the state lock; plain longs, no allocation per command. */
public final class GpuStats {
    /** Counted command types; anything else lands in the "other" slot. */
    static final int[] COMMANDS = {
        Protocol.CMD_GET_DISPLAY_INFO, Protocol.CMD_RESOURCE_CREATE_2D, Protocol.CMD_RESOURCE_UNREF,
        Protocol.CMD_SET_SCANOUT, Protocol.CMD_RESOURCE_FLUSH, Protocol.CMD_TRANSFER_TO_HOST_2D,
        Protocol.CMD_RESOURCE_ATTACH_BACKING, Protocol.CMD_RESOURCE_DETACH_BACKING, Protocol.CMD_GET_CAPSET_INFO,
        Protocol.CMD_GET_CAPSET, Protocol.CMD_GET_EDID, Protocol.CMD_RESOURCE_ASSIGN_UUID,
        Protocol.CMD_RESOURCE_CREATE_BLOB, Protocol.CMD_SET_SCANOUT_BLOB, Protocol.CMD_UPDATE_CURSOR,
        Protocol.CMD_MOVE_CURSOR,
    };
    private static final int OTHER = COMMANDS.length;

    private final long[] commands = new long[COMMANDS.length + 1];
    private final long[] errors = new long[Protocol.RESP_ERR_INVALID_PARAMETER - Protocol.RESP_ERR_UNSPEC + 1];
    private long bytesCopied;
    private long fences;
    /**
     * Per backend: {bytes TRANSFER copied, bytes TRANSFER shared, bytes displays read}; an entry is
     * allocated once per backend, not per command.
     */
    private final Map<String, long[]> counters = new TreeMap<>();

    void countCommand(int type) {
        commands[slot(type)]++;
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

    private static int slot(int type) {
        for (int i = 0; i < COMMANDS.length; i++) {
            if (COMMANDS[i] == type) {
                return i;
            }
        }
        return OTHER;
    }

    public long commands(int type) {
        return commands[slot(type)];
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
