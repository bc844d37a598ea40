package org.iscsilab.iscsi.login;

import java.math.BigInteger;
import org.bouncycastle.crypto.agreement.srp.SRP6StandardGroups;
import org.bouncycastle.crypto.params.SRP6GroupParameters;

/**
 * The SRP groups iSCSI names in SRP_GROUP (RFC 7143 §12.1.2 refers to RFC 3723 for them). The
 * modulus N and generator g are the published SRP groups of the same sizes (RFC 5054 Appendix A,
 * taken from Bouncy Castle); that RFC 3723 lists exactly these values is our reading, not checked
 * against another implementation, since no other iSCSI stack we know of offers SRP. SRP-1536 is the
 * smallest this project accepts.
 */
public enum SrpGroup {
    SRP_1536("SRP-1536", SRP6StandardGroups.rfc5054_1536),
    SRP_2048("SRP-2048", SRP6StandardGroups.rfc5054_2048),
    SRP_3072("SRP-3072", SRP6StandardGroups.rfc5054_3072),
    SRP_4096("SRP-4096", SRP6StandardGroups.rfc5054_4096),
    SRP_6144("SRP-6144", SRP6StandardGroups.rfc5054_6144),
    SRP_8192("SRP-8192", SRP6StandardGroups.rfc5054_8192);

    private final String keyValue;
    private final BigInteger n;
    private final BigInteger g;

    SrpGroup(String keyValue, SRP6GroupParameters p) {
        this.keyValue = keyValue;
        this.n = p.getN();
        this.g = p.getG();
    }

    /** The name used in SRP_GROUP, e.g. "SRP-2048". */
    public String keyValue() {
        return keyValue;
    }

    public BigInteger n() {
        return n;
    }

    public BigInteger g() {
        return g;
    }

    /** The group an SRP_GROUP value names, or null for one this side does not know. */
    public static SrpGroup of(String keyValue) {
        for (SrpGroup group : values()) {
            if (group.keyValue.equals(keyValue.strip())) {
                return group;
            }
        }
        return null;
    }
}
