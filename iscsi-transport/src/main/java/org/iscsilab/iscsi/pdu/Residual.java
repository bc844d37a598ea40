package org.iscsilab.iscsi.pdu;

/**
 * The residual of a command (RFC 7143 §11.4.5): the O or U bit and the ResidualCount, from how much
 * data the command moved against the initiator's Expected Data Transfer Length.
 */
public record Residual(boolean overflow, boolean underflow, int count) {
    public static final Residual NONE = new Residual(false, false, 0);

    public Residual {
        if (overflow && underflow || count < 0 || (count == 0) != !(overflow || underflow)) {
            throw new IllegalArgumentException(
                    "a residual is an overflow or an underflow of a positive count, "
                            + "or none: "
                            + overflow
                            + "/"
                            + underflow
                            + "/"
                            + count);
        }
    }

    /** {@code commandLength} bytes against an Expected Data Transfer Length of {@code edtl}. */
    public static Residual of(int commandLength, int edtl) {
        if (commandLength > edtl) {
            return new Residual(true, false, commandLength - edtl);
        }
        return commandLength < edtl ? new Residual(false, true, edtl - commandLength) : NONE;
    }
}
