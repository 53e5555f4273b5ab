package org.vgpu.virtio.api;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/** Binds virtio devices to a VMM (a vhost-user socket, an in-process virtio-mmio bus). */
@ConsumerType
public interface VirtioTransport {

    /** Transport kind, e.g. "vhost-user" or "virtio-mmio". */
    String kind();

    /** Where this transport listens or what it hosts, e.g. the socket path. */
    String endpoint();

    /** The devices this transport serves and their connection state, for the shell. */
    List<Binding> bindings();

    /** One device served by this transport. */
    interface Binding {
        String deviceName();

        /** e.g. "listening", "connected pid 1234", "active". */
        String state();

        /** A binding as the transport saw it just now (the shell prints it once). */
        static Binding of(String deviceName, String state) {
            return new Binding() {
                @Override
                public String deviceName() {
                    return deviceName;
                }

                @Override
                public String state() {
                    return state;
                }
            };
        }
    }
}
