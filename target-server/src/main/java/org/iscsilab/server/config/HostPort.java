package org.iscsilab.server.config;

import java.net.InetSocketAddress;

/**
 * HOST:PORT, [IPv6]:PORT or HOST (default port), as the configuration and the command line write
 * addresses.
 */
public final class HostPort {
    private HostPort() {}

    public static InetSocketAddress parse(String text, int defaultPort) {
        String host = text;
        int port = defaultPort;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException(
                        "'" + text + "': missing ']' after an IPv6 address");
            }
            host = text.substring(1, end);
            if (end + 1 < text.length()) {
                if (text.charAt(end + 1) != ':') {
                    throw new IllegalArgumentException("'" + text + "': expected :PORT after ]");
                }
                port = port(text, text.substring(end + 2));
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = port(text, text.substring(text.indexOf(':') + 1));
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "': missing host");
        }
        return new InetSocketAddress(host, port);
    }

    /**
     * The address to listen on, parsed and its host resolved: HOST:PORT, [IPv6]:PORT or HOST
     * (default port); an unresolvable host is an IllegalArgumentException naming it.
     */
    public static InetSocketAddress parseResolved(String text, int defaultPort) {
        InetSocketAddress a = parse(text, defaultPort);
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host '" + a.getHostString() + "'");
        }
        return a;
    }

    /** HOST:PORT as an initiator writes it: an IPv6 address in brackets. */
    public static String format(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static int port(String text, String p) {
        try {
            int port = Integer.parseInt(p);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + text + "': port must be a number from 0 to 65535");
        }
    }
}
