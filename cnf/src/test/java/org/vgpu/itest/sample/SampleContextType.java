package org.vgpu.itest.sample;

import java.nio.ByteBuffer;

import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.gpu.context.RenderingContext;

/**
 * A third-party context type (capset 0x7f), packed into its own bundle by SampleBundle: its capset
 * is "ECHO"; SUBMIT_3D accepts commands whose first byte is 0x7f and refuses anything else.
 */
public final class SampleContextType implements ContextType {
    public static final int CAPSET = 0x7f;

    @Override
    public String name() {
        return "sample-echo";
    }

    @Override
    public int capsetId() {
        return CAPSET;
    }

    @Override
    public int maxVersion() {
        return 0;
    }

    @Override
    public int capsetSize(int version) {
        return 4;
    }

    @Override
    public void writeCapset(int version, ByteBuffer dst) {
        dst.put(new byte[] {'E', 'C', 'H', 'O'});
    }

    @Override
    public RenderingContext create(ContextHost host, String debugName) {
        return new RenderingContext() {
            @Override
            public int submit(int ringIdx, ByteBuffer commands) {
                return commands.limit() > 0 && commands.get(0) == CAPSET ? OK : ERR_INVALID_PARAMETER;
            }

            @Override
            public void destroy() {
            }
        };
    }
}
