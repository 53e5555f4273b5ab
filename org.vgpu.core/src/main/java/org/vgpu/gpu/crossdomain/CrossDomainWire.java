package org.vgpu.gpu.crossdomain;

import static org.vgpu.gpu.protocol.Protocol.CROSS_DOMAIN_HDR_SIZE;

/**
 * The channel half of rutabaga's cross-domain protocol (cross_domain_protocol.rs, version 1):
 * command numbers, identifier types and the byte offsets of the structs a channel reads from a
 * SUBMIT_3D buffer and writes into the guest's channel ring. All little-endian.
 */
final class CrossDomainWire {
    static final int CMD_POLL = 3;
    static final int CMD_SEND = 4;
    static final int CMD_RECEIVE = 5;
    static final int CMD_READ = 6;
    static final int CMD_WRITE = 7;

    static final int CHANNEL_TYPE_NONE = 0;
    static final int CHANNEL_TYPE_WAYLAND = 1;

    /** Fence rings: ring 0 answers queries at once, ring 1 completes when the channel wrote into its ring. */
    static final int QUERY_RING = 0;
    static final int CHANNEL_RING = 1;

    static final int MAX_IDENTIFIERS = 28;
    static final int ID_TYPE_VIRTGPU_BLOB = 1;
    static final int ID_TYPE_VIRTGPU_SYNC = 2;
    static final int ID_TYPE_READ_PIPE = 3;
    static final int ID_TYPE_WRITE_PIPE = 4;
    static final int ID_TYPE_EVENT = 5;
    /** Read-pipe identifiers count up from here (the guest guesses the next one: it must be right). */
    static final int PIPE_READ_START = 0x80000000;

    // CrossDomainInit: hdr, query_ring_id, channel_ring_id, channel_type
    static final int INIT_QUERY_RING = CROSS_DOMAIN_HDR_SIZE;
    static final int INIT_CHANNEL_RING = CROSS_DOMAIN_HDR_SIZE + 4;
    static final int INIT_CHANNEL_TYPE = CROSS_DOMAIN_HDR_SIZE + 8;

    // CrossDomainSendReceive: hdr, num_identifiers, opaque_data_size, identifiers[28], identifier_types[28], identifier_sizes[28], data
    static final int SR_NUM_IDENTIFIERS = CROSS_DOMAIN_HDR_SIZE;
    static final int SR_DATA_SIZE = CROSS_DOMAIN_HDR_SIZE + 4;
    static final int SR_IDENTIFIERS = CROSS_DOMAIN_HDR_SIZE + 8;
    static final int SR_TYPES = SR_IDENTIFIERS + 4 * MAX_IDENTIFIERS;
    static final int SR_SIZES = SR_TYPES + 4 * MAX_IDENTIFIERS;
    static final int SEND_RECEIVE_SIZE = SR_SIZES + 4 * MAX_IDENTIFIERS; // 352

    // CrossDomainReadWrite: hdr, identifier, hang_up, opaque_data_size, pad, data
    static final int RW_IDENTIFIER = CROSS_DOMAIN_HDR_SIZE;
    static final int RW_HANG_UP = CROSS_DOMAIN_HDR_SIZE + 4;
    static final int RW_DATA_SIZE = CROSS_DOMAIN_HDR_SIZE + 8;
    static final int READ_WRITE_SIZE = CROSS_DOMAIN_HDR_SIZE + 16; // 24

    /**
     * The channel ring's size we write into: one page, what sommelier maps and rutabaga fills
     * (its receive buffer is 4096 minus the RECEIVE header). INIT checks the guest's ring holds it.
     */
    static final int RING_SIZE = 4096;
    static final int MAX_RECEIVE_DATA = RING_SIZE - SEND_RECEIVE_SIZE;
    static final int MAX_READ_DATA = RING_SIZE - READ_WRITE_SIZE;

    private CrossDomainWire() {
    }
}
