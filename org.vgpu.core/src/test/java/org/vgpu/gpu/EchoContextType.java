package org.vgpu.gpu;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.RenderingContext;

/**
 * A test context type: SUBMIT_3D's bytes are written back into the first attached resource
 * given by the command's first le32 (0: none); with a delay its fences are signalled from another thread
 * that long after the command ran (an asynchronous renderer), without one at once.
 */
public final class EchoContextType implements ContextType {
    public static final int CAPSET = 0x7f;
    private final int capsetId;
    private final long delayMillis;
    private final ScheduledExecutorService signaller = Executors.newSingleThreadScheduledExecutor();
    public final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    public EchoContextType(int capsetId, long delayMillis) {
        this.capsetId = capsetId;
        this.delayMillis = delayMillis;
    }

    @Override
    public String name() {
        return "echo-" + capsetId;
    }

    @Override
    public int capsetId() {
        return capsetId;
    }

    @Override
    public int maxVersion() {
        return 1;
    }

    @Override
    public int capsetSize(int version) {
        return 8 + 4 * version;
    }

    @Override
    public void writeCapset(int version, ByteBuffer dst) {
        for (int i = 0; i < capsetSize(version); i++) {
            dst.put((byte) (capsetId + i));
        }
    }

    @Override
    public RenderingContext create(ContextHost host, String debugName) {
        events.add("create " + host.contextId() + " " + debugName);
        List<Integer> attached = new ArrayList<>();
        return new RenderingContext() {
            @Override
            public int submit(int ringIdx, ByteBuffer commands) {
                events.add("submit " + host.contextId() + " ring " + ringIdx + " " + commands.limit());
                if (commands.limit() < 4) {
                    return ERR_INVALID_PARAMETER;
                }
                int target = commands.getInt(0);
                return target == 0 || host.writeGuest(target, 0, commands, commands.limit()) ? OK : ERR_INVALID_RESOURCE_ID;
            }

            @Override
            public boolean fence(int ringIdx, long fenceId) {
                if (delayMillis <= 0) {
                    return true;
                }
                events.add("fence " + ringIdx + " " + fenceId);
                signaller.schedule(() -> host.signalFence(ringIdx, fenceId), delayMillis, TimeUnit.MILLISECONDS);
                return false;
            }

            @Override
            public void attach(int resourceId) {
                attached.add(resourceId);
            }

            @Override
            public void detach(int resourceId) {
                attached.remove((Integer) resourceId);
            }

            @Override
            public String describe() {
                return "attached " + attached;
            }

            @Override
            public void destroy() {
                events.add("destroy " + host.contextId());
            }
        };
    }

    public void shutdown() {
        signaller.shutdownNow();
    }
}
