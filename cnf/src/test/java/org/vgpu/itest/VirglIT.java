package org.vgpu.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgpu.itest.guest.DeviceQueue.le32;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Dictionary;
import java.util.Hashtable;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.vgpu.gpu.context.ContextType;
import org.vgpu.itest.guest.DeviceQueue;
import org.vgpu.itest.guest.VirglBundle;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemoryMap;
import org.vgpu.virtio.memory.MemoryRegion;

/**
 * The virgl renderer bundle in the platform: with it a device offers VIRGL and its two capsets,
 * renders a virgl CLEAR that comes back pixel-exact into guest pages; stopping the bundle fails
 * its contexts (ERR_INVALID_CONTEXT_ID) and 3D resources (ERR_UNSPEC) while the device goes on
 * with 2D; the same jar dropped into load/ brings virgl back after the device's next reset.
 */
class VirglIT {
    static final int CTX = 1, RES = 3, W = 16, H = 16;
    static final long BACKING = DeviceQueue.FREE;

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 5000)
    ConfigurationAdmin configAdmin;

    @Test
    void theRendererBundleServesADeviceAndComesAndGoesUnderIt() throws Exception {
        Bundle bundle = VirglBundle.find(context);
        assertNotNull(bundle, "org.vgpu.renderer.virgl is in the itest profile");
        VirglBundle.start(context);
        assertTrue(awaitVirglTypes(2), "VIRGL and VIRGL2 registered (virglrenderer initialised on llvmpipe)");
        Configuration config = configAdmin.getFactoryConfiguration("org.vgpu.gpu", "itest-virgl", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("vgpu.device.name", "gpuvirgl");
        config.update(props);
        Path loaded = Path.of(context.getProperty("felix.fileinstall.dir")).resolve("org.vgpu.renderer.virgl.jar");
        String location = bundle.getLocation();
        VirtioDevice device = null;
        try (GuestMemoryMap mem = new GuestMemoryMap()) {
            mem.addRegion(MemoryRegion.anonymous(DeviceQueue.BASE, 1 << 20));
            device = DeviceQueue.awaitDevice(context, "gpuvirgl");
            assertNotNull(device, "gpuvirgl not registered");
            // A device made before the types came offers them from its next reset.
            assertEquals(0x11L, DeviceQueue.resetUntilOffered(device, 0x11, 0x11), "VIRGL + CONTEXT_INIT without any option");
            assertEquals(2, DeviceQueue.config(device, 12), "num_capsets: VIRGL, VIRGL2");
            DeviceQueue q = new DeviceQueue(device, mem);
            ByteBuffer info = q.send(0x108, 0, le32(1, 0)); // GET_CAPSET_INFO 1
            assertEquals(0x1102, info.getInt(0));
            assertEquals(2, info.getInt(24), "VIRGL2");
            assertEquals(1376, info.getInt(32), "sent whole: larger than an EDID response");
            render(q, mem, 0xFF00FF00, 0f, 1f, 0f);

            // The bundle stops under a running guest: its contexts and 3D resources fail, 2D goes on.
            bundle.stop(Bundle.STOP_TRANSIENT);
            assertEquals(0x1204, q.command(0x207, CTX, le32(0, 0)), "SUBMIT_3D: its context was destroyed");
            assertEquals(0x1200, q.command(0x206, CTX, transferBox()), "TRANSFER_FROM_HOST_3D: the resource is dead");
            assertEquals(0x1100, q.command(0x102, 0, le32(RES, 0)), "RESOURCE_UNREF of the dead resource");
            assertEquals(0x1100, q.command(0x101, 0, le32(9, 2, 8, 8)), "RESOURCE_CREATE_2D: the device goes on");

            // The same jar dropped into load/ (as a third party's bundle would be) brings virgl back.
            Path jar = Path.of(location.replaceFirst("^reference:", "").replaceFirst("^file:", ""));
            bundle.uninstall();
            Files.copy(jar, loaded, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(awaitVirglTypes(2), "the dropped jar's ContextTypes did not appear");
            assertEquals(0x11L, DeviceQueue.resetUntilOffered(device, 0x11, 0x11), "offered again after the reset");
            q = new DeviceQueue(device, mem);
            render(q, mem, 0xFFFF00FF, 1f, 0f, 1f);
            assertEquals(0x1100, q.command(0x102, 0, le32(RES, 0)), "RESOURCE_UNREF");
            assertEquals(0x1100, q.command(0x201, CTX, new byte[0]), "CTX_DESTROY");
        } finally {
            if (device != null) {
                device.reset();
            }
            config.delete();
            Files.deleteIfExists(loaded);
            awaitVirglTypes(0);
            if (VirglBundle.find(context) == null) {
                context.installBundle(location).start(); // as the profile had it, for the tests after this one
            }
        }
    }

    /** A context of VIRGL2, a 16 x 16 B8G8R8A8 render target with guest pages, a CLEAR to (r, g, b), read back exactly; both stay. */
    private static void render(DeviceQueue q, GuestMemoryMap mem, int argb, float r, float g, float b) throws Exception {
        int[] create = new int[18];
        create[1] = 2; // nlen 0, context_init: capset VIRGL2
        assertEquals(0x1100, q.command(0x200, CTX, le32(create)), "CTX_CREATE");
        assertEquals(0x1100, q.command(0x204, CTX, le32(RES, 2, 1, 2, W, H, 1, 1, 0, 0, 0, 0)), "RESOURCE_CREATE_3D");
        ByteBuffer attach = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0, RES).putInt(4, 1).putLong(8, BACKING)
                .putInt(16, W * H * 4);
        assertEquals(0x1100, q.command(0x106, 0, attach.array()), "RESOURCE_ATTACH_BACKING");
        assertEquals(0x1100, q.command(0x202, CTX, le32(RES, 0)), "CTX_ATTACH_RESOURCE");
        long depth = Double.doubleToLongBits(1.0);
        int[] stream = {1 | 8 << 8 | 5 << 16, 1, RES, 1, 0, 0, // CREATE_OBJECT surface 1 of the resource, B8G8R8A8
                5 | 3 << 16, 1, 0, 1, // SET_FRAMEBUFFER_STATE: one colour buffer, surface 1
                7 | 8 << 16, 1 << 2, Float.floatToIntBits(r), Float.floatToIntBits(g), Float.floatToIntBits(b), Float.floatToIntBits(1f),
                (int) depth, (int) (depth >>> 32), 0}; // CLEAR colour 0
        int[] submit = new int[2 + stream.length];
        submit[0] = stream.length * 4;
        System.arraycopy(stream, 0, submit, 2, stream.length);
        assertEquals(0x1100, q.command(0x207, CTX, le32(submit)), "SUBMIT_3D");
        assertEquals(0x1100, q.command(0x206, CTX, transferBox()), "TRANSFER_FROM_HOST_3D");
        for (int i = 0; i < W * H; i++) {
            assertEquals(argb, mem.readInt(BACKING + 4L * i), "texel " + i);
        }
    }

    /** TRANSFER_*_HOST_3D of the whole resource at backing offset 0. */
    private static byte[] transferBox() {
        return le32(0, 0, 0, W, H, 1, 0, 0, RES, 0, 0, 0);
    }

    private boolean awaitVirglTypes(int count) throws Exception {
        return VirglBundle.awaitTypes(context, count);
    }
}
