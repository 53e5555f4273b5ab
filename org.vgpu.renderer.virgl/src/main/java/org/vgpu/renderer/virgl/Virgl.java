package org.vgpu.renderer.virgl;

import static org.vgpu.renderer.virgl.VirglLibrary.*;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import org.vgpu.gpu.context.ContextHost;
import org.vgpu.gpu.context.Resource3d;
import org.vgpu.gpu.spi.BackingList;

/**
 * The process's virglrenderer. The library is process-global (one init, one GL context, one
 * table of contexts and resources by id), so there is one renderer per process and it serves one
 * device at a time ({@link #claim}): resource ids cannot be renamed per device because virgl
 * command streams name resources by the guest's own ids, and two guests would collide. Context
 * ids are virgl's own (a guest's id may be reused while virgl still knows the old one). Every
 * call runs on the {@link RenderThread}; the methods are synchronized so the scratch native
 * memory (box, iovecs, arguments, command copy) is never shared.
 */
final class Virgl {
    private static final System.Logger LOG = System.getLogger(Virgl.class.getName());
    /** Virgl context ids 1..MAX_CONTEXTS (the device allows 64 per device). */
    static final int MAX_CONTEXTS = 256;

    /** How to start virglrenderer: GL or GLES, and a render node to use if it exists (null: EGL surfaceless). */
    record Options(boolean gles, String renderNode) {
    }

    /** One capset as virglrenderer reports it. */
    record Capset(int id, int maxVersion, byte[] bytes) {
    }

    private final RenderThread thread;
    private final Memory cookie = new Memory(8);
    private final Memory callbacks = new Memory(64);
    // Strong references: the native side holds only the function pointers.
    private final WriteFence writeFence = (c, fence) -> {
    };
    private final WriteContextFence writeContextFence = this::contextFenceSignalled;
    private final GetDrmFd getDrmFd;
    private final String renderNode;
    private final String mode;
    private final Capset[] capsets;
    /** Fence targets by virgl context id (index), read by the render thread's callback without locks. */
    private final ContextHost[] fenceTargets = new ContextHost[MAX_CONTEXTS + 1];
    /** Fences asked for and not yet signalled, per virgl context (the render thread polls while any are). */
    private final int[] pendingFences = new int[MAX_CONTEXTS + 1];
    private int nextContext = 1;
    /** write_context_fence calls so far (the shell and tests see fences really come from virglrenderer). */
    private volatile long fencesSignalled;
    private VirglDevice owner;
    private boolean stopped;

    private final Memory box = new Memory(24);
    private final Memory createArgs = new Memory(44);
    private final GuestIovecs iovecs = new GuestIovecs();
    private Memory commandCopy = new Memory(4096);
    private ByteBuffer commandView = commandCopy.getByteBuffer(0, commandCopy.size());
    /** The last readback buffer and its address (the device reuses one). */
    private ByteBuffer readbackBuffer;
    private Pointer readbackAddress;

    // The hot calls' arguments and operations, reused (the methods are synchronized): no allocation per command.
    private int argContext;
    private int argResource;
    private int argLevel;
    private int argStride;
    private int argLayerStride;
    private int argCount;
    private int argRing;
    private long argOffset;
    private Pointer argPointer;
    private final RenderThread.Op writeOp = () -> virgl_renderer_transfer_write_iov(argResource, argContext, argLevel, argStride,
            argLayerStride, box, argOffset, argPointer, argCount);
    private final RenderThread.Op readOp = () -> virgl_renderer_transfer_read_iov(argResource, argContext, argLevel, argStride,
            argLayerStride, box, argOffset, argPointer, argCount);
    private final RenderThread.Op submitOp = () -> virgl_renderer_submit_cmd(argPointer, argContext, argCount);
    private final RenderThread.Op fenceOp = () -> virgl_renderer_context_create_fence(argContext, 0, argRing, argOffset);
    private final RenderThread.Op attachOp = () -> {
        virgl_renderer_ctx_attach_resource(argContext, argResource);
        return 0;
    };
    private final RenderThread.Op attachIovOp = () -> virgl_renderer_resource_attach_iov(argResource, argPointer, argCount);
    private final RenderThread.Op detachIovOp = () -> {
        virgl_renderer_resource_detach_iov(argResource, Pointer.NULL, Pointer.NULL);
        return 0;
    };
    /** The iovec arrays virglrenderer holds, by resource: kept alive (and unchanged) until detached. */
    private final java.util.Map<Integer, Memory> attachedIovs = new java.util.HashMap<>();
    private final RenderThread.Op detachOp = () -> {
        virgl_renderer_ctx_detach_resource(argContext, argResource);
        return 0;
    };

    private Virgl(Options options) {
        String node = options.renderNode() != null && !options.renderNode().isBlank() && Files.exists(Path.of(options.renderNode()))
                ? options.renderNode() : null;
        if (options.renderNode() != null && !options.renderNode().isBlank() && node == null) {
            LOG.log(Level.INFO, "render node {0} is not there: EGL surfaceless instead", options.renderNode());
        }
        this.renderNode = node;
        this.getDrmFd = node == null ? null : c -> LibC.open(renderNode, LibC.O_RDWR | LibC.O_CLOEXEC);
        this.mode = (options.gles() ? "GLES" : "GL") + ", " + (node == null ? "EGL surfaceless" : "render node " + node);
        this.thread = new RenderThread("virgl-renderer", VirglLibrary::virgl_renderer_poll);
        int flags = USE_EGL | (node == null ? USE_SURFACELESS : 0) | (options.gles() ? USE_GLES : 0);
        int rc;
        try {
            rc = thread.call(() -> init(flags));
        } catch (RuntimeException e) {
            thread.close();
            throw e;
        }
        if (rc != 0) {
            thread.close();
            throw new IllegalStateException("virgl_renderer_init(" + mode + ") failed: " + rc);
        }
        this.capsets = new Capset[] { capset(1), capset(2) };
    }

    /** Loads the library and initialises virglrenderer on a new render thread; throws with the reason if it cannot. */
    static Virgl start(Options options) {
        String missing = VirglLibrary.load();
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        return new Virgl(options);
    }

    private int init(int flags) {
        cookie.setLong(0, 0x76677075); // any non-NULL cookie: virglrenderer refuses NULL
        callbacks.clear();
        callbacks.setInt(0, CALLBACKS_VERSION);
        callbacks.setPointer(8, CallbackReference.getFunctionPointer(writeFence));
        if (getDrmFd != null) {
            callbacks.setPointer(40, CallbackReference.getFunctionPointer(getDrmFd));
        }
        callbacks.setPointer(48, CallbackReference.getFunctionPointer(writeContextFence));
        return virgl_renderer_init(cookie, flags, callbacks);
    }

    private Capset capset(int set) {
        int[] version = new int[1];
        int[] size = new int[1];
        thread.call(() -> {
            virgl_renderer_get_cap_set(set, version, size);
            return 0;
        });
        if (size[0] <= 0) {
            return null;
        }
        Memory caps = new Memory(size[0]);
        caps.clear();
        thread.call(() -> {
            virgl_renderer_fill_caps(set, version[0], caps);
            return 0;
        });
        return new Capset(set, version[0], caps.getByteArray(0, size[0]));
    }

    /** VIRGL (1) or VIRGL2 (2) as this virglrenderer reports it, or null. */
    Capset capsetOf(int id) {
        for (Capset c : capsets) {
            if (c != null && c.id() == id) {
                return c;
            }
        }
        return null;
    }

    long fencesSignalled() {
        return fencesSignalled;
    }

    /** Fences asked for and neither signalled nor forgotten with their context. */
    int pendingFences() {
        synchronized (pendingFences) {
            int n = 0;
            for (int p : pendingFences) {
                n += p;
            }
            return n;
        }
    }

    String mode() {
        return mode;
    }

    // ---- which device it serves ----

    /** The renderer of deviceName's resources: the current one if that device holds it, a new one if nobody does, else null. */
    synchronized VirglDevice claim(String deviceName) {
        if (stopped) {
            return null;
        }
        if (owner != null) {
            return owner.deviceName().equals(deviceName) ? owner : null;
        }
        owner = new VirglDevice(this, deviceName);
        return owner;
    }

    /** The device closed its renderer: another device may claim it. */
    synchronized void release(VirglDevice device) {
        if (owner == device) {
            owner = null;
        }
    }

    // ---- contexts ----

    /** A new virgl context of capset for host; its virgl id, or 0 if virgl refused or none is free. */
    synchronized int createContext(int capsetId, String name, ContextHost host) {
        if (stopped) {
            return 0;
        }
        int id = 0;
        for (int i = 0; i < MAX_CONTEXTS && id == 0; i++) {
            int candidate = (nextContext + i - 1) % MAX_CONTEXTS + 1;
            if (fenceTargets[candidate] == null) {
                id = candidate;
            }
        }
        if (id == 0) {
            return 0;
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        Memory nameMemory = new Memory(bytes.length + 1);
        nameMemory.write(0, bytes, 0, bytes.length);
        nameMemory.setByte(bytes.length, (byte) 0);
        int ctx = id;
        int rc = thread.call(() -> virgl_renderer_context_create_with_flags(ctx, capsetId, bytes.length, nameMemory));
        if (rc != 0) {
            LOG.log(Level.DEBUG, "virgl refused context {0} of capset {1}: {2}", ctx, capsetId, rc);
            return 0;
        }
        fenceTargets[id] = host;
        nextContext = id % MAX_CONTEXTS + 1;
        return id;
    }

    synchronized void destroyContext(int ctx) {
        fenceTargets[ctx] = null; // late fences of it are dropped (the device completes its chains itself)
        call(() -> {
            virgl_renderer_context_destroy(ctx);
            return 0;
        });
        forgetFences(ctx);
    }

    /** A gone context's fences will not be signalled: the render thread stops polling for them. */
    private void forgetFences(int ctx) {
        int n;
        synchronized (pendingFences) {
            n = pendingFences[ctx];
            pendingFences[ctx] = 0;
        }
        thread.fencesOutstanding(-n);
    }

    synchronized void attach(int ctx, int resourceId, boolean attach) {
        argContext = ctx;
        argResource = resourceId;
        call(attach ? attachOp : detachOp);
    }

    /** SUBMIT_3D: commands[0, limit) as dwords (the caller checked the length is a multiple of 4). 0 or virgl's error. */
    synchronized int submit(int ctx, ByteBuffer commands) {
        int length = commands.limit();
        if (commandCopy.size() < length) {
            commandCopy = new Memory(Math.max(length, commandCopy.size() * 2));
            commandView = commandCopy.getByteBuffer(0, commandCopy.size());
        }
        // Native memory virglrenderer may read as it likes; the view the device gave is valid only during the call.
        commandView.put(0, commands, 0, length);
        argPointer = commandCopy;
        argContext = ctx;
        argCount = length / 4;
        return call(submitOp);
    }

    /** A per-context fence on a ring: true if virgl took it (it signals later), false if it refused. */
    synchronized boolean createFence(int ctx, int ringIdx, long fenceId) {
        argContext = ctx;
        argRing = ringIdx;
        argOffset = fenceId;
        fenceAsked(ctx, 1); // before virglrenderer can signal it
        int rc = call(fenceOp);
        if (rc != 0) {
            fenceAsked(ctx, -1);
        }
        return rc == 0;
    }

    /** n fences more (or fewer) pending in a context; the render thread's polling follows the total. */
    private void fenceAsked(int ctx, int n) {
        synchronized (pendingFences) {
            n = Math.max(n, -pendingFences[ctx]);
            pendingFences[ctx] += n;
        }
        thread.fencesOutstanding(n);
    }

    private void contextFenceSignalled(Pointer cookie, int ctx, int ringIdx, long fenceId) {
        fencesSignalled++; // only the render thread writes it
        if (ctx > 0 && ctx <= MAX_CONTEXTS) {
            fenceAsked(ctx, -1);
        }
        ContextHost host = ctx > 0 && ctx <= MAX_CONTEXTS ? fenceTargets[ctx] : null;
        if (host != null) {
            host.signalFence(ringIdx, fenceId); // queues the completion, never blocks
        }
    }

    // ---- resources ----

    synchronized int createResource(Resource3d r) {
        createArgs.setInt(0, r.resourceId());
        createArgs.setInt(4, r.target());
        createArgs.setInt(8, r.format());
        createArgs.setInt(12, r.bind());
        createArgs.setInt(16, r.width());
        createArgs.setInt(20, r.height());
        createArgs.setInt(24, r.depth());
        createArgs.setInt(28, r.arraySize());
        createArgs.setInt(32, r.lastLevel());
        createArgs.setInt(36, r.nrSamples());
        createArgs.setInt(40, r.flags());
        return call(() -> virgl_renderer_resource_create(createArgs, Pointer.NULL, 0));
    }

    /**
     * Gives virglrenderer the resource's guest pages to keep (attach_iov), in place of any it had:
     * command streams move staging data through them (TRANSFER3D, COPY_TRANSFER3D) without a
     * device command naming the pages. Every range is checked in guest memory now; the caller
     * attaches again when the memory's generation changes. False if a page is not guest memory or
     * virgl refused: the resource then has no pages in virglrenderer.
     */
    synchronized boolean attachIov(int resourceId, BackingList backing) {
        detachIov(resourceId);
        int count = iovecs.fill(backing);
        if (count <= 0) {
            return count == 0;
        }
        Memory kept = new Memory((long) count * GuestIovecs.IOVEC_SIZE); // per ATTACH_BACKING, not per command
        kept.write(0, iovecs.memory().getByteArray(0, count * GuestIovecs.IOVEC_SIZE), 0, count * GuestIovecs.IOVEC_SIZE);
        argResource = resourceId;
        argPointer = kept;
        argCount = count;
        if (call(attachIovOp) != 0) {
            return false;
        }
        attachedIovs.put(resourceId, kept);
        return true;
    }

    /** virglrenderer forgets the resource's pages (DETACH_BACKING, before UNREF, or before they change). */
    synchronized void detachIov(int resourceId) {
        if (attachedIovs.remove(resourceId) != null) {
            argResource = resourceId;
            call(detachIovOp);
        }
    }

    synchronized void unref(int resourceId) {
        detachIov(resourceId);
        call(() -> {
            virgl_renderer_resource_unref(resourceId);
            return 0;
        });
    }

    /**
     * A transfer between a resource and its guest pages (already checked by {@link TransferCheck}):
     * the iovecs are made now from the backing, each range checked in guest memory again (the ones
     * virglrenderer keeps are not used here). 0, or
     * virgl's error; -1 if a page is no longer guest memory.
     */
    synchronized int transfer(int ctx, boolean toHost, int resourceId, int x, int y, int z, int w, int h, int d, long offset, int level,
            int stride, int layerStride, BackingList backing) {
        int count = iovecs.fill(backing);
        if (count < 0) {
            return -1;
        }
        setBox(x, y, z, w, h, d);
        setTransfer(ctx, resourceId, level, stride, layerStride, offset, iovecs.memory(), count);
        return call(toHost ? writeOp : readOp);
    }

    /** Reads level 0 (0, 0, w, h) of a resource into dst (direct), rows packed at w * 4. 0 or virgl's error. */
    synchronized int readPixels(int resourceId, int w, int h, ByteBuffer dst) {
        setBox(0, 0, 0, w, h, 1);
        if (dst != readbackBuffer) {
            readbackBuffer = dst;
            readbackAddress = Native.getDirectBufferPointer(dst);
        }
        setTransfer(0, resourceId, 0, w * 4, 0, 0, iovecs.single(readbackAddress, (long) w * h * 4), 1);
        return call(readOp);
    }

    private void setTransfer(int ctx, int resourceId, int level, int stride, int layerStride, long offset, Pointer iov, int count) {
        argContext = ctx;
        argResource = resourceId;
        argLevel = level;
        argStride = stride;
        argLayerStride = layerStride;
        argOffset = offset;
        argPointer = iov;
        argCount = count;
    }

    private void setBox(int x, int y, int z, int w, int h, int d) {
        box.setInt(0, x);
        box.setInt(4, y);
        box.setInt(8, z);
        box.setInt(12, w);
        box.setInt(16, h);
        box.setInt(20, d);
    }

    private int call(RenderThread.Op op) {
        if (stopped) {
            throw new IllegalStateException("the virgl renderer stopped");
        }
        return thread.call(op);
    }

    /** The bundle stops: virglrenderer is cleaned up on its thread, which then ends. */
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            thread.call(() -> {
                virgl_renderer_cleanup(cookie);
                return 0;
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "virgl_renderer_cleanup: {0}", e.getMessage());
        }
        thread.close();
    }
}
