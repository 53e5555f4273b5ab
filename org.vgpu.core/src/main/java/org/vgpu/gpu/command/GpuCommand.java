package org.vgpu.gpu.command;

/**
 * One decoded virtio-gpu request, after crosvm's devices/src/virtio/gpu/protocol.rs: each wire
 * struct is read in one go (the record's static read, with its field offsets beside the fields)
 * into one of these types. {@link CommandType} is the one table of codes, names, sizes, readers
 * and required features. u32 geometry is widened to long so no check can overflow.
 */
public sealed interface GpuCommand permits GetDisplayInfo, ResourceCreate2d, ResourceUnref, SetScanout, ResourceFlush,
        TransferToHost2d, AttachBacking, DetachBacking, GetCapsetInfo, GetCapset, GetEdid, AssignUuid, CreateBlob,
        SetScanoutBlob, CtxCreate, CtxDestroy, CtxResource, ResourceCreate3d, Transfer3d, Submit3d, MapBlob, UnmapBlob,
        CursorCommand {
}
