package org.vgpu.vhostuser;

/** The front end sent something we cannot accept: the connection is closed, the process carries on. */
final class ProtocolViolation extends Exception {
    private static final long serialVersionUID = 1L;

    ProtocolViolation(String message) {
        super(message, null, false, false);
    }
}
