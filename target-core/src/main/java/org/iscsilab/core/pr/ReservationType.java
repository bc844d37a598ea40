package org.iscsilab.core.pr;

/** Persistent reservation types (SPC-4 §6.15.2 table 171). */
public enum ReservationType {
    WRITE_EXCLUSIVE(1),
    EXCLUSIVE_ACCESS(3),
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(5),
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(6),
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(7),
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(8);

    private final int code;

    ReservationType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a TYPE field value, or null when SPC-4 defines none. */
    public static ReservationType of(int code) {
        for (ReservationType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** Every registrant holds the reservation (SPC-4 §5.12.9). */
    public boolean allRegistrants() {
        return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** Registered I_T nexuses may access the medium as the holder does. */
    public boolean registrantsHaveAccess() {
        return this != WRITE_EXCLUSIVE && this != EXCLUSIVE_ACCESS;
    }

    /** Reads are restricted too, not only writes. */
    public boolean exclusiveAccess() {
        return this == EXCLUSIVE_ACCESS
                || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
                || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }
}
