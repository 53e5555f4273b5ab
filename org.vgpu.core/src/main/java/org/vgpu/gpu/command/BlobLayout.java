package org.vgpu.gpu.command;

/** How SET_SCANOUT_BLOB lays pixels out in a blob: format, width x height, plane 0's stride and offset. */
public record BlobLayout(int format, long width, long height, long stride, long offset) {
}
