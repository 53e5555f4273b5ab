package org.vgpu.gpu.command;

import static org.vgpu.gpu.protocol.Protocol.*;

import java.nio.ByteBuffer;

/**
 * The one table of the commands the device serves: wire code, name (the constant's), minimum wire
 * size, reader and the feature bit the driver must have acked (-1: none). The decoder, the
 * command names and the per-command statistics all come from here.
 */
public enum CommandType {
    GET_DISPLAY_INFO(CMD_GET_DISPLAY_INFO, GetDisplayInfo.SIZE, -1, (b, n, hot) -> GetDisplayInfo.INSTANCE),
    RESOURCE_CREATE_2D(CMD_RESOURCE_CREATE_2D, ResourceCreate2d.SIZE, -1, (b, n, hot) -> ResourceCreate2d.read(b)),
    RESOURCE_UNREF(CMD_RESOURCE_UNREF, ResourceUnref.SIZE, -1, (b, n, hot) -> ResourceUnref.read(b)),
    SET_SCANOUT(CMD_SET_SCANOUT, SetScanout.SIZE, -1, (b, n, hot) -> SetScanout.read(b)),
    RESOURCE_FLUSH(CMD_RESOURCE_FLUSH, ResourceFlush.SIZE, -1, (b, n, hot) -> hot.flush.fill(b)),
    TRANSFER_TO_HOST_2D(CMD_TRANSFER_TO_HOST_2D, TransferToHost2d.SIZE, -1, (b, n, hot) -> hot.transfer.fill(b)),
    RESOURCE_ATTACH_BACKING(CMD_RESOURCE_ATTACH_BACKING, AttachBacking.SIZE, -1, (b, n, hot) -> AttachBacking.read(b, n)),
    RESOURCE_DETACH_BACKING(CMD_RESOURCE_DETACH_BACKING, DetachBacking.SIZE, -1, (b, n, hot) -> DetachBacking.read(b)),
    GET_CAPSET_INFO(CMD_GET_CAPSET_INFO, GetCapsetInfo.SIZE, -1, (b, n, hot) -> GetCapsetInfo.read(b)),
    GET_CAPSET(CMD_GET_CAPSET, GetCapset.SIZE, -1, (b, n, hot) -> GetCapset.read(b)),
    GET_EDID(CMD_GET_EDID, GetEdid.SIZE, F_EDID, (b, n, hot) -> GetEdid.read(b)),
    RESOURCE_ASSIGN_UUID(CMD_RESOURCE_ASSIGN_UUID, AssignUuid.SIZE, F_RESOURCE_UUID, (b, n, hot) -> AssignUuid.read(b)),
    RESOURCE_CREATE_BLOB(CMD_RESOURCE_CREATE_BLOB, CreateBlob.SIZE, F_RESOURCE_BLOB, (b, n, hot) -> CreateBlob.read(b, n)),
    SET_SCANOUT_BLOB(CMD_SET_SCANOUT_BLOB, SetScanoutBlob.SIZE, F_RESOURCE_BLOB, (b, n, hot) -> SetScanoutBlob.read(b)),
    CTX_CREATE(CMD_CTX_CREATE, CtxCreate.SIZE, F_VIRGL, (b, n, hot) -> CtxCreate.read(b)),
    CTX_DESTROY(CMD_CTX_DESTROY, CtxDestroy.SIZE, F_VIRGL, (b, n, hot) -> CtxDestroy.INSTANCE),
    CTX_ATTACH_RESOURCE(CMD_CTX_ATTACH_RESOURCE, CtxResource.SIZE, F_VIRGL, (b, n, hot) -> CtxResource.read(b, true)),
    CTX_DETACH_RESOURCE(CMD_CTX_DETACH_RESOURCE, CtxResource.SIZE, F_VIRGL, (b, n, hot) -> CtxResource.read(b, false)),
    RESOURCE_CREATE_3D(CMD_RESOURCE_CREATE_3D, ResourceCreate3d.SIZE, F_VIRGL, (b, n, hot) -> ResourceCreate3d.read(b)),
    TRANSFER_TO_HOST_3D(CMD_TRANSFER_TO_HOST_3D, Transfer3d.SIZE, F_VIRGL, (b, n, hot) -> Transfer3d.read(b, true)),
    TRANSFER_FROM_HOST_3D(CMD_TRANSFER_FROM_HOST_3D, Transfer3d.SIZE, F_VIRGL, (b, n, hot) -> Transfer3d.read(b, false)),
    SUBMIT_3D(CMD_SUBMIT_3D, Submit3d.SIZE, F_VIRGL, (b, n, hot) -> Submit3d.read(b, n)),
    RESOURCE_MAP_BLOB(CMD_RESOURCE_MAP_BLOB, MapBlob.SIZE, F_RESOURCE_BLOB, (b, n, hot) -> MapBlob.read(b)),
    RESOURCE_UNMAP_BLOB(CMD_RESOURCE_UNMAP_BLOB, UnmapBlob.SIZE, F_RESOURCE_BLOB, (b, n, hot) -> UnmapBlob.read(b)),
    UPDATE_CURSOR(CMD_UPDATE_CURSOR, CursorCommand.SIZE, -1, (b, n, hot) -> hot.cursor.fill(b, true)),
    MOVE_CURSOR(CMD_MOVE_CURSOR, CursorCommand.SIZE, -1, (b, n, hot) -> hot.cursor.fill(b, false));

    /** Reads the command from a request of length bytes, length at least the type's size; hot commands into their holder. */
    @FunctionalInterface
    interface Reader {
        GpuCommand read(ByteBuffer request, int length, HotCommands hot);
    }

    private static final CommandType[] VALUES = values();
    /** By code: 0x1nn, 0x2nn and 0x3nn, indexed by the low byte. */
    private static final CommandType[][] BY_CODE = new CommandType[4][];

    static {
        for (int range = 1; range < 4; range++) {
            BY_CODE[range] = new CommandType[0x10];
        }
        for (CommandType t : VALUES) {
            BY_CODE[t.code >> 8][t.code & 0xff] = t;
        }
    }

    private final int code;
    private final int size;
    private final int feature;
    private final Reader reader;

    CommandType(int code, int size, int feature, Reader reader) {
        this.code = code;
        this.size = size;
        this.feature = feature;
        this.reader = reader;
    }

    /** The type of a wire code, or null for a command the device does not know. */
    public static CommandType of(int code) {
        int range = code >>> 8;
        int low = code & 0xff;
        if (range < 1 || range > 3 || low >= 0x10) {
            return null;
        }
        return BY_CODE[range][low];
    }

    /** The number of types (statistics slots). */
    public static int count() {
        return VALUES.length;
    }

    /** The type at ordinal i, 0 <= i < count(). */
    public static CommandType at(int i) {
        return VALUES[i];
    }

    public int code() {
        return code;
    }

    /** The request's size without trailing entries or payload: shorter requests are ERR_UNSPEC. */
    public int size() {
        return size;
    }

    /** The feature bit that enables the command, or -1. */
    public int feature() {
        return feature;
    }

    /** Whether the command is served under the acked features. */
    public boolean enabledBy(long ackedFeatures) {
        return feature < 0 || (ackedFeatures & 1L << feature) != 0;
    }

    /**
     * Decodes the request (length >= size()). A hot command comes back in its holder of hot, valid
     * until the next request decoded with it; the others, and every slice of the request they hold,
     * are valid while the request buffer is not reused.
     */
    public GpuCommand read(ByteBuffer request, int length, HotCommands hot) {
        return reader.read(request, length, hot);
    }

    /** A wire code's name, or its hex number for an unknown one. */
    public static String nameOf(int code) {
        CommandType t = of(code);
        return t == null ? String.format("0x%x", code) : t.name();
    }
}
