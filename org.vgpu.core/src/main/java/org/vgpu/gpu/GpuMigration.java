package org.vgpu.gpu;

import java.util.List;

import org.vgpu.gpu.spi.BackendException;
import org.vgpu.gpu.spi.ResourceBackend;

/**
 * What the shell may do to one GPU device's resources (vgpu:migrate, vgpu:rebalance), registered
 * as a service beside each device (with its {@code vgpu.device.name}); the read-only view is
 * {@link GpuInspection}.
 */
public interface GpuMigration {

    /** The device name (vgpu.device.name). */
    String name();

    /** Moves a live resource to another backend; returns what happened, for the user. */
    String migrate(int resourceId, ResourceBackend target, String why) throws BackendException;

    /** Moves each resource to the backend the policy picks now, where that differs; one line per move. */
    List<String> rebalance();

    /** The actions on a device's state. */
    static GpuMigration of(GpuState state) {
        return new GpuMigration() {
            @Override
            public String name() {
                return state.deviceName();
            }

            @Override
            public String migrate(int resourceId, ResourceBackend target, String why) throws BackendException {
                return state.migrate(resourceId, target, why);
            }

            @Override
            public List<String> rebalance() {
                return state.rebalance();
            }
        };
    }
}
