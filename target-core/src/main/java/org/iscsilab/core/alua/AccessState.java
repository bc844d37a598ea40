package org.iscsilab.core.alua;

import java.util.Locale;

/**
 * The asymmetric access state of a target port group (SPC-5 §5.16.2.4) with its code in the
 * ASYMMETRIC ACCESS STATE field and its bit in the supported-states byte of a REPORT TARGET PORT
 * GROUPS descriptor (SPC-5 §6.38).
 */
public enum AccessState {
    ACTIVE_OPTIMIZED(0x0, 0x01, "active-optimized"),
    ACTIVE_NON_OPTIMIZED(0x1, 0x02, "active-non-optimized"),
    STANDBY(0x2, 0x04, "standby"),
    UNAVAILABLE(0x3, 0x08, "unavailable"),
    OFFLINE(0xE, 0x40, "offline"),
    TRANSITIONING(0xF, 0x80, "transitioning");

    /** Every state above is supported: T_SUP, O_SUP, U_SUP, S_SUP, AN_SUP and AO_SUP. */
    public static final int SUPPORTED_BITS = 0xCF;

    private final int code;
    private final int supportBit;
    private final String label;

    AccessState(int code, int supportBit, String label) {
        this.code = code;
        this.supportBit = supportBit;
        this.label = label;
    }

    public int code() {
        return code;
    }

    public int supportBit() {
        return supportBit;
    }

    /** The name used by the command line, the config file and the admin API. */
    public String label() {
        return label;
    }

    /** Whether SET TARGET PORT GROUPS may ask for it (SPC-5 §6.49: not transitioning, offline). */
    public boolean explicitTarget() {
        return this != TRANSITIONING && this != OFFLINE;
    }

    /** The state with this ASYMMETRIC ACCESS STATE code, or null. */
    public static AccessState ofCode(int code) {
        for (AccessState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }

    /** A label ("standby") or its short form (ao, an, s, u, o, t). */
    public static AccessState parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('/', '-').replace('_', '-');
        for (AccessState s : values()) {
            if (s.label.equals(t) || s.shortName().equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                "unknown access state '"
                        + text
                        + "'; use active-optimized, active-non-optimized, standby, unavailable,"
                        + " offline or transitioning");
    }

    private String shortName() {
        return switch (this) {
            case ACTIVE_OPTIMIZED -> "ao";
            case ACTIVE_NON_OPTIMIZED -> "an";
            case STANDBY -> "s";
            case UNAVAILABLE -> "u";
            case OFFLINE -> "o";
            case TRANSITIONING -> "t";
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
