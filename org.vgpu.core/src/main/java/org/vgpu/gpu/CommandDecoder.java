package org.vgpu.gpu;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vgpu.gpu.command.CommandType;
import org.vgpu.gpu.command.GpuCommand;
import org.vgpu.gpu.command.Header;
import org.vgpu.gpu.command.HotCommands;

/**
 * Decodes one request: the header, the {@link CommandType} of its code, whether the acked
 * features serve it and whether it has its wire size (ERR_UNSPEC otherwise, as for an unknown
 * command), then the command record; runs it through the {@link CommandDispatcher} and encodes the
 * response with its {@link ResponseWriter}. Used by one queue worker at a time; the state is
 * shared and locked per command.
 */
public final class CommandDecoder {
    private final GpuState state;
    private final CommandDispatcher dispatcher;
    private final ResponseWriter out = new ResponseWriter();
    private final HotCommands hot = new HotCommands();
    private final Header header = new Header();
    /** The pending fence of the last command, or null: see {@link #takeFence}. */
    private FenceWait fence;

    /**
     * A command that asked for a fence in a context with a renderer: the device completes its
     * chain once the context's ring reaches the fence (done: at once, in ring order).
     */
    record FenceWait(GpuContexts.Slot slot, int ringIdx, long fenceId, boolean done) {
    }

    public CommandDecoder(GpuState state) {
        this.state = state;
        this.dispatcher = new CommandDispatcher(state);
    }

    /**
     * Handles the request in req[0, length) and writes the response to resp[0 ..]; returns the
     * bytes written, at most resp.capacity() (a too-small response buffer gets the prefix that fits).
     * Both buffers must be little-endian; positions and limits are not used or changed.
     */
    public int handle(ByteBuffer req, int length, ByteBuffer resp) {
        if (req.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("request buffer must be little-endian");
        }
        int n = Math.max(0, Math.min(length, req.capacity()));
        int respLength;
        fence = null;
        synchronized (state) {
            respLength = dispatch(req, n);
        }
        int copied = Math.min(respLength, resp.capacity());
        resp.put(0, out.buffer(), 0, copied);
        return copied;
    }

    /** Runs the command and leaves the full response in the writer; returns its length. */
    private int dispatch(ByteBuffer req, int n) {
        GpuStats stats = state.stats();
        if (n < Header.SIZE) {
            stats.countCommand(null); // no complete header: nothing to echo
            return respond(RESP_ERR_UNSPEC, null);
        }
        header.fill(req);
        CommandType type = CommandType.of(header.type());
        stats.countCommand(type);
        if ((header.flags() & FLAG_FENCE) != 0) {
            stats.countFence(); // commands run synchronously, so fences complete in submission order
        }
        if (type == null || !state.serves(type) || n < type.size()) {
            return respond(RESP_ERR_UNSPEC, header); // unknown, not negotiated, or short
        }
        GpuCommand command = type.read(req, n, hot);
        boolean rings = (header.flags() & FLAG_INFO_RING_IDX) != 0 && state.featureAcked(F_CONTEXT_INIT);
        int ringIdx = rings ? header.ringIdx() : 0;
        int result = dispatcher.execute(type, command, header.ctxId(), ringIdx, out);
        if ((header.flags() & FLAG_FENCE) != 0 && header.ctxId() != 0 && result < RESP_ERR_UNSPEC) {
            fence = contextFence(header.ctxId(), ringIdx, header.fenceId());
        }
        return respond(result, header);
    }

    /** Asks the command's context whether its fence is done already (a synchronous type says yes). */
    private FenceWait contextFence(int ctxId, int ringIdx, long fenceId) {
        GpuContexts.Slot slot = state.contextTable().get(ctxId);
        if (slot == null || slot.context == null) {
            return null; // no renderer: done, nothing before it can be pending
        }
        boolean done;
        try {
            done = slot.context.fence(ringIdx, fenceId);
        } catch (RuntimeException e) {
            done = true; // a broken type must not hold the guest's fence forever
        }
        return new FenceWait(slot, ringIdx, fenceId, done);
    }

    /** The fence the last {@link #handle}d command waits for (and forgets it), or null: complete it at once. */
    FenceWait takeFence() {
        FenceWait f = fence;
        fence = null;
        return f;
    }

    private int respond(int type, Header header) {
        state.stats().countResponse(type);
        return out.finish(type, header);
    }
}
