package org.iscsilab.core.alua;

import java.util.Locale;

/**
 * Which asymmetric access state changes a target supports, as the TPGS field of standard INQUIRY
 * data reports it (SPC-5 §6.7.2): none, implicit only (the target changes states), explicit only
 * (SET TARGET PORT GROUPS), or both.
 */
public enum TpgsMode {
    NONE(0b00),
    IMPLICIT(0b01),
    EXPLICIT(0b10),
    BOTH(0b11);

    private final int tpgs;

    TpgsMode(int tpgs) {
        this.tpgs = tpgs;
    }

    /** The TPGS field value, for bits 5:4 of standard INQUIRY byte 5. */
    public int tpgs() {
        return tpgs;
    }

    /** SET TARGET PORT GROUPS is supported. */
    public boolean explicit() {
        return (tpgs & 0b10) != 0;
    }

    /** The target changes access states itself. */
    public boolean implicit() {
        return (tpgs & 0b01) != 0;
    }

    public static TpgsMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown ALUA mode '" + text + "'; use none, implicit, explicit or both", e);
        }
    }
}
