package org.iscsilab.iscsi.node;

import java.util.regex.Pattern;

/** iSCSI name checks (RFC 7143 §4.2.7): iqn., eui. and naa. formats, at most 223 bytes. */
public final class IscsiNames {
    private static final Pattern IQN = Pattern.compile("iqn\\.\\d{4}-\\d{2}\\.[a-z0-9.-]+(:.+)?");
    private static final Pattern EUI = Pattern.compile("eui\\.[0-9A-Fa-f]{16}");
    private static final Pattern NAA = Pattern.compile("naa\\.[0-9A-Fa-f]{16}([0-9A-Fa-f]{16})?");

    private IscsiNames() {}

    public static boolean valid(String name) {
        return name != null
                && name.length() <= 223
                && (IQN.matcher(name).matches()
                        || EUI.matcher(name).matches()
                        || NAA.matcher(name).matches());
    }

    public static void validate(String name) {
        if (!valid(name)) {
            throw new IllegalArgumentException(
                    "'"
                            + name
                            + "' is not an iSCSI name; use e.g. "
                            + "iqn.2026-01.org.example:disk1 (RFC 7143 §4.2.7)");
        }
    }
}
