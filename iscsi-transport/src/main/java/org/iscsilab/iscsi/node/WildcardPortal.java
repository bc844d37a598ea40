package org.iscsilab.iscsi.node;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The addresses a portal bound to a wildcard address (0.0.0.0 or ::) is reachable at: every address
 * of every interface that is up, link-local ones left out (they need a scope an initiator cannot
 * know), loopback last. SendTargets reports these (RFC 7143 §13.8 TargetAddress must be an address
 * the initiator can connect to, and 0.0.0.0 is none).
 */
final class WildcardPortal {
    private WildcardPortal() {}

    /**
     * The reachable addresses of a portal configured as {@code configured} and bound to {@code
     * bound}: the interface addresses when it is a wildcard (IPv4 ones only for 0.0.0.0), else
     * {@code bound} itself.
     */
    static List<InetSocketAddress> reachable(
            InetSocketAddress configured, InetSocketAddress bound) {
        InetAddress a = configured.getAddress();
        if (a == null || !a.isAnyLocalAddress()) {
            return List.of(bound);
        }
        boolean ipv4Only = a instanceof Inet4Address;
        List<InetSocketAddress> out = new ArrayList<>();
        List<InetSocketAddress> loopback = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress ip : Collections.list(nic.getInetAddresses())) {
                    if (ip.isLinkLocalAddress() || ipv4Only && !(ip instanceof Inet4Address)) {
                        continue;
                    }
                    // without the scope: "%eth0" means nothing to the initiator's host
                    InetSocketAddress at =
                            new InetSocketAddress(
                                    InetAddress.getByAddress(ip.getAddress()), bound.getPort());
                    (ip.isLoopbackAddress() ? loopback : out).add(at);
                }
            }
        } catch (SocketException | UnknownHostException e) {
            return List.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort()));
        }
        out.addAll(loopback);
        return out.isEmpty() ? List.of(bound) : out;
    }
}
