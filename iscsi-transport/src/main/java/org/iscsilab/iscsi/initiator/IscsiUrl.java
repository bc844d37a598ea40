package org.iscsilab.iscsi.initiator;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * A LUN's address as libiscsi and QEMU write it: {@code iscsi://HOST[:PORT]/IQN[/LUN]}, with an
 * IPv6 host in brackets and port 3260 when none is given. The LUN is -1 when the URL names only the
 * target.
 */
public record IscsiUrl(String host, int port, String iqn, int lun) {
    public static final int DEFAULT_PORT = 3260;

    public IscsiUrl {
        if (host == null || host.isEmpty() || iqn == null || iqn.isEmpty()) {
            throw new IllegalArgumentException("an iSCSI URL needs a host and a target name");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be from 1 to 65535, not " + port);
        }
    }

    /** The URL of a LUN of the target at this portal. */
    public static IscsiUrl of(InetSocketAddress portal, String iqn, int lun) {
        return new IscsiUrl(portal.getHostString(), portal.getPort(), iqn, lun);
    }

    /**
     * Parses iscsi://HOST[:PORT]/IQN[/LUN]; a message naming the expected form when {@code text} is
     * not one.
     */
    public static IscsiUrl parse(String text) {
        String expected = "write iscsi://HOST[:PORT]/IQN/LUN, not '" + text + "'";
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(expected);
        }
        if (!"iscsi".equals(u.getScheme())
                || u.getHost() == null
                || u.getPath() == null
                || u.getPath().length() < 2) {
            throw new IllegalArgumentException(expected);
        }
        String[] path = u.getPath().substring(1).split("/", -1);
        if (path.length > 2 || path[0].isEmpty()) {
            throw new IllegalArgumentException(expected);
        }
        int lun = -1;
        if (path.length == 2) {
            try {
                lun = Integer.parseInt(path[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        expected + ": '" + path[1] + "' is not a LUN number");
            }
            if (lun < 0 || lun > 16383) { // SAM-5 flat and peripheral addressing reach LUN 16383
                throw new IllegalArgumentException(
                        expected + ": LUN " + lun + " is out of range 0-16383");
            }
        }
        String host =
                u.getHost().startsWith("[")
                        ? u.getHost().substring(1, u.getHost().length() - 1)
                        : u.getHost();
        return new IscsiUrl(host, u.getPort() < 0 ? DEFAULT_PORT : u.getPort(), path[0], lun);
    }

    /** The portal, resolved. */
    public InetSocketAddress portal() {
        return new InetSocketAddress(host, port);
    }

    /** The LUN, or a message naming what is missing. */
    public int requireLun() {
        if (lun < 0) {
            throw new IllegalArgumentException(
                    this + " names no LUN: add /LUN, e.g. " + withLun(0));
        }
        return lun;
    }

    public IscsiUrl withLun(int n) {
        return new IscsiUrl(host, port, iqn, n);
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "iscsi://" + h + ":" + port + "/" + iqn + (lun < 0 ? "" : "/" + lun);
    }
}
