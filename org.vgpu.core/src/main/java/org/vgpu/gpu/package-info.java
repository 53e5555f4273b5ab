/**
 * The virtio-gpu device (2D, VIRTIO 1.4 section 5.7).
 *
 * <p>Layout, after crosvm's devices/src/virtio/gpu: {@code protocol.Protocol} holds every wire
 * number; {@code command} holds the commands as types ({@code GpuCommand}) and the one table of
 * them ({@code CommandType}); {@link org.vgpu.gpu.CommandDecoder} decodes a request,
 * {@link org.vgpu.gpu.CommandDispatcher} runs it on the state's parts (resources, placement,
 * blobs, displays, cursor, contexts) and {@link org.vgpu.gpu.ResponseWriter} encodes the answer;
 * {@link org.vgpu.gpu.GpuState} holds what the parts share; {@link org.vgpu.gpu.GpuDevice} is the
 * thin virtqueue adapter and config space.
 * {@link org.vgpu.gpu.GpuDeviceComponent} (one per factory configuration of "org.vgpu.gpu") has a
 * device and registers it, with its read-only {@link org.vgpu.gpu.GpuInspection} and its
 * {@link org.vgpu.gpu.GpuMigration} for the shell; {@link org.vgpu.gpu.DefaultGpuConfiguration}
 * keeps gpu0's configuration.
 * Pixels live in a {@code ResourceBackend} chosen per resource by a {@code BackendSelector}
 * (package {@code org.vgpu.gpu.spi}); this bundle ships the copy backend.
 *
 * <p>Error choices where VIRTIO 1.4 leaves room (following QEMU where it is explicit):
 * ATTACH_BACKING on a resource that already has backing is ERR_UNSPEC; too many entries, an entry
 * outside guest RAM or a total below the resource size is ERR_INVALID_PARAMETER; TRANSFER without
 * backing is ERR_INVALID_PARAMETER (the backing is 0 bytes); DETACH without backing is OK; an
 * empty TRANSFER or FLUSH rect is OK; SET_SCANOUT needs a non-empty rect.
 *
 * <p>Benchmark: {@code mvn -pl org.vgpu.core test-compile} then
 * {@code java -cp org.vgpu.core/target/classes:org.vgpu.core/target/test-classes org.vgpu.gpu.bench.TransferBenchmark}.
 * Fuzzing beyond the seed corpus:
 * {@code JAZZER_FUZZ=1 mvn -pl org.vgpu.core test -Dtest=DecoderFuzzTest} (10 minutes).
 */
package org.vgpu.gpu;
