package org.iscsilab.core.lu;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One designation descriptor of the Device Identification VPD page (SPC-5 §7.8.6.1): code set,
 * association, designator type and the designator itself. The copy manager matches identification
 * CSCD descriptors of EXTENDED COPY against these (SPC-4 §6.4.5.5).
 */
public record Designator(int codeSet, int association, int type, byte[] value) {
    public static final int CODE_SET_BINARY = 1;
    public static final int CODE_SET_ASCII = 2;
    public static final int ASSOCIATION_LOGICAL_UNIT = 0;
    public static final int ASSOCIATION_TARGET_PORT = 1;
    public static final int TYPE_T10_VENDOR_ID = 1;
    public static final int TYPE_NAA = 3;
    public static final int TYPE_RELATIVE_TARGET_PORT = 4;
    public static final int TYPE_TARGET_PORT_GROUP = 5;

    public Designator {
        value = value.clone();
        if (value.length > 255) {
            throw new IllegalArgumentException("a designator is at most 255 bytes");
        }
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /**
     * The designation descriptor as the Device Identification page carries it (PIV=0, PROTOCOL
     * IDENTIFIER=0).
     */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(4 + value.length);
        b.put((byte) codeSet)
                .put((byte) ((association << 4) | type))
                .put((byte) 0)
                .put((byte) value.length);
        return b.put(value).array();
    }

    /** Same code set, association, type and bytes. */
    public boolean matches(int codeSet, int association, int type, byte[] designator) {
        return this.codeSet == codeSet
                && this.association == association
                && this.type == type
                && Arrays.equals(value, designator);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Designator d && matches(d.codeSet, d.association, d.type, d.value);
    }

    @Override
    public int hashCode() {
        return 31 * (codeSet * 961 + association * 31 + type) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "designator type " + type + " " + HexFormat.of().formatHex(value);
    }
}
