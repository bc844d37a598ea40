package org.iscsilab.iscsi.initiator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.TextParameters;

/**
 * One target from a SendTargets answer (RFC 7143 §13.3): its name and "address:port,tpgt" entries.
 */
public record DiscoveredTarget(String name, List<String> addresses) {

    /**
     * The targets of a SendTargets answer: each TargetName, then the TargetAddress keys that follow
     * it.
     */
    static List<DiscoveredTarget> parseSendTargets(byte[] text) {
        List<DiscoveredTarget> out = new ArrayList<>();
        try {
            String name = null;
            List<String> addresses = new ArrayList<>();
            for (Map.Entry<String, String> p : TextParameters.decode(text)) {
                if (p.getKey().equals(Keys.TARGET_NAME)) {
                    if (name != null) {
                        out.add(new DiscoveredTarget(name, List.copyOf(addresses)));
                    }
                    name = p.getValue();
                    addresses.clear();
                } else if (p.getKey().equals(Keys.TARGET_ADDRESS)) {
                    addresses.add(p.getValue());
                }
            }
            if (name != null) {
                out.add(new DiscoveredTarget(name, List.copyOf(addresses)));
            }
        } catch (TextParameters.TextFormatException e) {
            throw new IscsiInitiatorException("malformed SendTargets answer: " + e.getMessage());
        }
        return out;
    }
}
