package org.vgpu.vhostuser;

/** vhost-user wire numbers (QEMU docs/interop/vhost-user.rst and vhost-user-gpu.rst), in one place. */
final class VhostUserProtocol {
    private VhostUserProtocol() {
    }

    /** Header: u32 request, u32 flags, u32 size. */
    static final int HEADER_SIZE = 12;
    /** Largest payload we accept; bigger is protocol garbage (GET_CONFIG is 12 + 256, a mem table 8 + 8 * 32). */
    static final int MAX_PAYLOAD = 4096;
    static final int MAX_FDS = 8;

    static final int FLAG_VERSION_1 = 0x1;
    static final int FLAG_VERSION_MASK = 0x3;
    static final int FLAG_REPLY = 1 << 2;
    static final int FLAG_NEED_REPLY = 1 << 3;

    // Front end -> back end requests.
    static final int GET_FEATURES = 1;
    static final int SET_FEATURES = 2;
    static final int SET_OWNER = 3;
    static final int RESET_OWNER = 4;
    static final int SET_MEM_TABLE = 5;
    static final int SET_LOG_BASE = 6;
    static final int SET_LOG_FD = 7;
    static final int SET_VRING_NUM = 8;
    static final int SET_VRING_ADDR = 9;
    static final int SET_VRING_BASE = 10;
    static final int GET_VRING_BASE = 11;
    static final int SET_VRING_KICK = 12;
    static final int SET_VRING_CALL = 13;
    static final int SET_VRING_ERR = 14;
    static final int GET_PROTOCOL_FEATURES = 15;
    static final int SET_PROTOCOL_FEATURES = 16;
    static final int GET_QUEUE_NUM = 17;
    static final int SET_VRING_ENABLE = 18;
    static final int SET_BACKEND_REQ_FD = 21;
    static final int GET_CONFIG = 24;
    static final int SET_CONFIG = 25;
    static final int GPU_SET_SOCKET = 33;
    static final int RESET_DEVICE = 34;
    static final int GET_MAX_MEM_SLOTS = 36;
    static final int ADD_MEM_REG = 37;
    static final int REM_MEM_REG = 38;
    static final int SET_STATUS = 39;
    static final int GET_STATUS = 40;
    static final int GET_SHMEM_CONFIG = 44;

    /** Virtio feature bit 30: the protocol-features handshake is available. */
    static final long F_PROTOCOL_FEATURES = 1L << 30;

    // Protocol feature bits.
    static final int PF_MQ = 0;
    static final int PF_REPLY_ACK = 3;
    static final int PF_BACKEND_REQ = 5;
    static final int PF_CONFIG = 9;
    static final int PF_BACKEND_SEND_FD = 10;
    static final int PF_RESET_DEVICE = 13;
    static final int PF_CONFIGURE_MEM_SLOTS = 15;
    static final int PF_STATUS = 16;
    /** Shared memory regions mapped by the back end (SHMEM_MAP/UNMAP, GET_SHMEM_CONFIG): the QEMU 11.1 protocol. */
    static final int PF_SHMEM = 22;

    static final long OFFERED_PROTOCOL_FEATURES = 1L << PF_MQ | 1L << PF_REPLY_ACK | 1L << PF_BACKEND_REQ
            | 1L << PF_CONFIG | 1L << PF_BACKEND_SEND_FD | 1L << PF_RESET_DEVICE | 1L << PF_CONFIGURE_MEM_SLOTS
            | 1L << PF_STATUS;

    /** Memory slots offered with CONFIGURE_MEM_SLOTS (QEMU's own backends use 509 at most). */
    static final int MAX_MEM_SLOTS = 32;

    // Back-end requests for shared memory (sent on the SET_BACKEND_REQ_FD channel, fd attached to MAP).
    static final int BACKEND_SHMEM_MAP = 9;
    static final int BACKEND_SHMEM_UNMAP = 10;
    /** u8 shmid, u8 pad[7], le64 fd_offset, le64 shm_offset, le64 len, le64 flags. */
    static final int SHMEM_MSG_SIZE = 40;
    static final long SHMEM_MAP_FLAG_RW = 1;
    /** GET_SHMEM_CONFIG reply: le32 nregions, le32 pad, le64 memory_sizes[256]. */
    static final int SHMEM_CONFIG_SIZE = 8 + 256 * 8;

    /** SET_VRING_KICK/CALL/ERR payload: queue index in bits 0-7; bit 8 set means no fd was sent. */
    static final long VRING_INDEX_MASK = 0xff;
    static final long VRING_NOFD_MASK = 1L << 8;

    static final int MAX_QUEUE_SIZE = 32768;

    /** Memory region wire struct: u64 guest_phys_addr, u64 memory_size, u64 userspace_addr, u64 mmap_offset. */
    static final int MEMORY_REGION_SIZE = 32;

    static String requestName(int request) {
        return switch (request) {
            case GET_FEATURES -> "GET_FEATURES";
            case SET_FEATURES -> "SET_FEATURES";
            case SET_OWNER -> "SET_OWNER";
            case RESET_OWNER -> "RESET_OWNER";
            case SET_MEM_TABLE -> "SET_MEM_TABLE";
            case SET_LOG_BASE -> "SET_LOG_BASE";
            case SET_LOG_FD -> "SET_LOG_FD";
            case SET_VRING_NUM -> "SET_VRING_NUM";
            case SET_VRING_ADDR -> "SET_VRING_ADDR";
            case SET_VRING_BASE -> "SET_VRING_BASE";
            case GET_VRING_BASE -> "GET_VRING_BASE";
            case SET_VRING_KICK -> "SET_VRING_KICK";
            case SET_VRING_CALL -> "SET_VRING_CALL";
            case SET_VRING_ERR -> "SET_VRING_ERR";
            case GET_PROTOCOL_FEATURES -> "GET_PROTOCOL_FEATURES";
            case SET_PROTOCOL_FEATURES -> "SET_PROTOCOL_FEATURES";
            case GET_QUEUE_NUM -> "GET_QUEUE_NUM";
            case SET_VRING_ENABLE -> "SET_VRING_ENABLE";
            case SET_BACKEND_REQ_FD -> "SET_BACKEND_REQ_FD";
            case GET_CONFIG -> "GET_CONFIG";
            case SET_CONFIG -> "SET_CONFIG";
            case GPU_SET_SOCKET -> "GPU_SET_SOCKET";
            case RESET_DEVICE -> "RESET_DEVICE";
            case GET_MAX_MEM_SLOTS -> "GET_MAX_MEM_SLOTS";
            case ADD_MEM_REG -> "ADD_MEM_REG";
            case REM_MEM_REG -> "REM_MEM_REG";
            case SET_STATUS -> "SET_STATUS";
            case GET_STATUS -> "GET_STATUS";
            case GET_SHMEM_CONFIG -> "GET_SHMEM_CONFIG";
            default -> "request " + request;
        };
    }
}
