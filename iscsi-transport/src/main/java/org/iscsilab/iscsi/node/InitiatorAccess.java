package org.iscsilab.iscsi.node;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Which initiators may log in to a target: by InitiatorName and by source network. An empty list
 * allows any; a login that either list refuses fails with authorization failure, Status-Class 02h
 * Status-Detail 02h (RFC 7143 §11.13.5).
 */
public final class InitiatorAccess {
    /** A network in CIDR notation, IPv4 or IPv6. */
    record Network(byte[] prefix, int bits, String text) {
        static Network parse(String cidr) {
            int slash = cidr.indexOf('/');
            try {
                byte[] address =
                        InetAddress.getByName(slash < 0 ? cidr : cidr.substring(0, slash))
                                .getAddress();
                int bits =
                        slash < 0
                                ? address.length * 8
                                : Integer.parseInt(cidr.substring(slash + 1));
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException(
                            "network "
                                    + cidr
                                    + ": the prefix length must be 0 to "
                                    + address.length * 8);
                }
                return new Network(address, bits, cidr);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException(
                        "network "
                                + cidr
                                + ": write an address and a prefix length, e.g. "
                                + "10.0.0.0/8 or fd00::/8");
            }
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != prefix.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((b[i / 8] & mask) != (prefix[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private volatile Set<String> names = Set.of();
    private volatile List<Network> networks = List.of();

    /** Only these InitiatorNames may log in (none given: any). */
    public void allowNames(Collection<String> initiatorNames) {
        this.names = Set.copyOf(initiatorNames);
    }

    /** Only initiators from these networks (CIDR) may log in (none given: any). */
    public void allowNetworks(Collection<String> cidrs) {
        this.networks = cidrs.stream().map(Network::parse).toList();
    }

    public Set<String> names() {
        return names;
    }

    public List<String> networks() {
        return networks.stream().map(Network::text).toList();
    }

    /** Why this initiator may not log in, or null when it may. */
    public String refusal(String initiatorName, InetAddress from) {
        Set<String> n = names;
        if (!n.isEmpty() && !n.contains(initiatorName)) {
            return "initiator "
                    + initiatorName
                    + " is not on the target's list of allowed initiators";
        }
        List<Network> nets = networks;
        if (!nets.isEmpty()
                && (from == null || nets.stream().noneMatch(net -> net.contains(from)))) {
            return "initiator "
                    + initiatorName
                    + " connects from "
                    + (from == null ? "an unknown address" : from.getHostAddress())
                    + ", outside the target's allowed networks "
                    + networks();
        }
        return null;
    }
}
