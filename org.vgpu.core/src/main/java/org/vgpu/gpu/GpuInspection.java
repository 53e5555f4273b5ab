package org.vgpu.gpu;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The read-only view of one GPU device that the shell uses, registered as a service beside each
 * device (with its {@code vgpu.device.name}). Every answer is a snapshot taken under the device's
 * lock; nothing here changes the device. Actions (migration, rebalancing) are {@link GpuMigration}.
 */
public interface GpuInspection {

    /** The device name (vgpu.device.name). */
    String name();

    /** Every resource, by unsigned id. */
    List<GpuState.ResourceInfo> resources();

    /** One resource, or null if the device has none with that id. */
    GpuState.ResourceInfo resource(int id);

    List<GpuState.ScanoutInfo> scanouts();

    GpuState.CursorInfo cursor();

    /** A copy of the counters. */
    GpuStats stats();

    /** Host memory the resources hold, and the quota. */
    long usedBytes();

    long quotaBytes();

    /** Each rendering context's description by id, in id order (empty on a device without contexts). */
    Map<Integer, String> contexts();

    /** The scanout as the guest sees it (cursor blended in if withCursor), or null if disabled. */
    Frame capture(int scanoutId, boolean withCursor);

    /** The view of a device's state. */
    static GpuInspection of(GpuState state) {
        return new GpuInspection() {
            @Override
            public String name() {
                return state.deviceName();
            }

            @Override
            public List<GpuState.ResourceInfo> resources() {
                return List.copyOf(state.resources());
            }

            @Override
            public GpuState.ResourceInfo resource(int id) {
                return state.resource(id);
            }

            @Override
            public List<GpuState.ScanoutInfo> scanouts() {
                return List.copyOf(state.scanouts());
            }

            @Override
            public GpuState.CursorInfo cursor() {
                return state.cursor();
            }

            @Override
            public GpuStats stats() {
                return state.statsSnapshot();
            }

            @Override
            public long usedBytes() {
                return state.usedBytes();
            }

            @Override
            public long quotaBytes() {
                return state.quotaBytes();
            }

            @Override
            public Map<Integer, String> contexts() {
                return Collections.unmodifiableMap(state.contexts()); // a fresh map, ordered by id
            }

            @Override
            public Frame capture(int scanoutId, boolean withCursor) {
                return state.capture(scanoutId, withCursor);
            }
        };
    }
}
