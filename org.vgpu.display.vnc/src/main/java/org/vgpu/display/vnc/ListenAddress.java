package org.vgpu.display.vnc;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where a VNC server listens: "host:port" (TCP; "[::1]:5900" for IPv6) or a UNIX socket path,
 * written "unix:/path" or just "/path". Parsed once from the configuration.
 */
record ListenAddress(SocketAddress address) {

    static ListenAddress parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.startsWith("unix:")) {
            s = s.substring(5);
        }
        if (s.startsWith("/")) {
            return new ListenAddress(UnixDomainSocketAddress.of(Path.of(s)));
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("VNC listen address is not host:port or a UNIX socket path: '" + text + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("VNC listen port is not a number: '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("VNC listen port out of range: '" + text + "'");
        }
        return new ListenAddress(new InetSocketAddress(host, port));
    }

    boolean unix() {
        return address instanceof UnixDomainSocketAddress;
    }

    @Override
    public String toString() {
        if (address instanceof UnixDomainSocketAddress u) {
            return "unix:" + u.getPath();
        }
        InetSocketAddress i = (InetSocketAddress) address;
        String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
    }
}
