package org.iscsilab.iscsi.pdu;

/** 32-bit serial number arithmetic for CmdSN, StatSN and friends (RFC 7143 §4.2.2.1, RFC 1982). */
public final class SerialNumbers {
    private SerialNumbers() {}

    /** True when {@code a} comes before {@code b}. */
    public static boolean lessThan(int a, int b) {
        return a != b && (b - a) > 0;
    }

    public static boolean lessOrEqual(int a, int b) {
        return a == b || lessThan(a, b);
    }

    /** True when {@code low <= x <= high} in serial order. */
    public static boolean inWindow(int x, int low, int high) {
        return lessOrEqual(low, x) && lessOrEqual(x, high);
    }
}
