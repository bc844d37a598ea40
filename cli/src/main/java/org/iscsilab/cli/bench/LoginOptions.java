package org.iscsilab.cli.bench;

import org.iscsilab.iscsi.initiator.InitiatorConfig;
import org.iscsilab.iscsi.login.ChapCredentials;

/**
 * How the load generator logs in: its initiator name, CHAP credentials (null: no CHAP), the
 * target's credentials for mutual CHAP (null: one-way), and whether it asks for CRC32C header and
 * data digests.
 */
public record LoginOptions(
        String initiatorName,
        ChapCredentials chap,
        ChapCredentials mutualChap,
        boolean headerDigest,
        boolean dataDigest) {
    /** The name bench logs in as unless told otherwise. */
    public static final String DEFAULT_INITIATOR = "iqn.2026-01.org.iscsilab:bench";

    public static final LoginOptions DEFAULT =
            new LoginOptions(DEFAULT_INITIATOR, null, null, false, false);

    public LoginOptions {
        if (mutualChap != null && chap == null) {
            throw new IllegalArgumentException("mutual CHAP needs the initiator's CHAP too");
        }
    }

    /** The initiator's login settings for a session to {@code iqn}. */
    public InitiatorConfig config(String iqn) {
        InitiatorConfig c =
                InitiatorConfig.normal(iqn)
                        .withInitiatorName(initiatorName)
                        .withDigests(headerDigest, dataDigest);
        return chap == null ? c : c.withChap(chap, mutualChap);
    }
}
