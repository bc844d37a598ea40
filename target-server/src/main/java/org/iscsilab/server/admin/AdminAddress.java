package org.iscsilab.server.admin;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.iscsilab.server.config.HostPort;

/**
 * Where the admin API listens, as a client is told: {@code HOST}, {@code HOST:PORT}, {@code
 * [IPv6]:PORT}, or the URL the target prints ({@code http://HOST:PORT/api/v1/}). An address without
 * a port takes {@link #DEFAULT_PORT}, as {@code iscsilab target --admin} does.
 */
public record AdminAddress(String host, int port) {
    public static final int DEFAULT_PORT = 9260;

    /** The environment variable the clients read when no --admin is given. */
    public static final String ENVIRONMENT = "ISCSILAB_ADMIN";

    public static final AdminAddress DEFAULT = new AdminAddress("127.0.0.1", DEFAULT_PORT);

    public static AdminAddress parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException(
                    "an empty address; write HOST[:PORT], e.g. 127.0.0.1:9260");
        }
        int scheme = t.indexOf("://");
        if (scheme >= 0) {
            return fromUrl(text, t, t.substring(0, scheme).toLowerCase(Locale.ROOT));
        }
        if (t.contains("/")) {
            throw new IllegalArgumentException(
                    "'" + text + "': write HOST[:PORT] or http://HOST:PORT/api/v1/");
        }
        InetSocketAddress a = HostPort.parse(t, DEFAULT_PORT);
        if (a.getPort() == 0) {
            throw new IllegalArgumentException(
                    "'" + text + "': port 0 is no admin API; give its port");
        }
        return new AdminAddress(a.getHostString(), a.getPort());
    }

    private static AdminAddress fromUrl(String text, String t, String scheme) {
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException(
                    "'" + text + "': the admin API speaks http://, not " + scheme + "://");
        }
        URI u;
        try {
            u = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
        }
        String path = u.getPath() == null ? "" : u.getPath();
        if (!path.isEmpty()
                && !path.equals("/")
                && !path.equals("/api/v1")
                && !path.equals("/api/v1/")) {
            throw new IllegalArgumentException(
                    "'" + text + "': the admin API's URL ends in /api/v1/, not " + path);
        }
        if (u.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "': the URL names no host");
        }
        String host =
                u.getHost().startsWith("[")
                        ? u.getHost().substring(1, u.getHost().length() - 1)
                        : u.getHost();
        return new AdminAddress(host, u.getPort() < 0 ? DEFAULT_PORT : u.getPort());
    }

    /** http://HOST:PORT/api/v1/ */
    public String baseUrl() {
        return "http://"
                + HostPort.format(InetSocketAddress.createUnresolved(host, port))
                + Endpoints.BASE;
    }

    @Override
    public String toString() {
        return HostPort.format(InetSocketAddress.createUnresolved(host, port));
    }
}
