package org.iscsilab.scsi;

import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * Sense data of a CHECK CONDITION: sense key, ASC/ASCQ, optional INFORMATION field and optional
 * sense-key specific field pointer (SPC-5 §4.4.2.4.2: points at the bad CDB or parameter byte).
 * Encodes as fixed (SPC-5 §4.4.3) or descriptor format (SPC-5 §4.4.2).
 */
public record SenseData(
        SenseKey key,
        AdditionalSense additional,
        OptionalLong information,
        FieldPointer fieldPointer,
        int progress,
        OptionalLong commandSpecific) {

    /** Without a progress indication. */
    public SenseData(
            SenseKey key,
            AdditionalSense additional,
            OptionalLong information,
            FieldPointer fieldPointer) {
        this(key, additional, information, fieldPointer, -1);
    }

    /** Without command-specific information. */
    public SenseData(
            SenseKey key,
            AdditionalSense additional,
            OptionalLong information,
            FieldPointer fieldPointer,
            int progress) {
        this(key, additional, information, fieldPointer, progress, OptionalLong.empty());
    }

    /** Sense-key specific field pointer for ILLEGAL REQUEST (SPC-5 §4.4.2.4.2). */
    public record FieldPointer(boolean inCdb, int byteOffset, int bitPointer) {
        public static FieldPointer cdbByte(int offset) {
            return new FieldPointer(true, offset, -1);
        }

        public static FieldPointer cdbBit(int offset, int bit) {
            return new FieldPointer(true, offset, bit);
        }

        public static FieldPointer parameterByte(int offset) {
            return new FieldPointer(false, offset, -1);
        }

        byte[] encode() {
            int b0 = 0x80 | (inCdb ? 0x40 : 0) | (bitPointer >= 0 ? 0x08 | (bitPointer & 0x07) : 0);
            return new byte[] {(byte) b0, (byte) (byteOffset >> 8), (byte) byteOffset};
        }
    }

    public static final int FIXED_LENGTH = 18;

    public SenseData {
        if (key == null || additional == null || information == null || commandSpecific == null) {
            throw new IllegalArgumentException(
                    "sense key, additional sense and information are required");
        }
    }

    public static SenseData of(SenseKey key, AdditionalSense additional) {
        return new SenseData(key, additional, OptionalLong.empty(), null);
    }

    public static SenseData illegalRequest(AdditionalSense additional, FieldPointer pointer) {
        return new SenseData(SenseKey.ILLEGAL_REQUEST, additional, OptionalLong.empty(), pointer);
    }

    public SenseData withInformation(long info) {
        return new SenseData(
                key, additional, OptionalLong.of(info), fieldPointer, progress, commandSpecific);
    }

    /** SPC-5 §4.4.2.3: the COMMAND-SPECIFIC INFORMATION field (32 bits in fixed format). */
    public SenseData withCommandSpecific(long info) {
        return new SenseData(
                key, additional, information, fieldPointer, progress, OptionalLong.of(info));
    }

    /** SPC-5 §4.4.2.4.4: the sense-key specific bytes, a field pointer or a progress indication. */
    private byte[] senseKeySpecific() {
        if (fieldPointer != null) {
            return fieldPointer.encode();
        }
        if (progress >= 0) {
            return new byte[] {(byte) 0x80, (byte) (progress >> 8), (byte) progress};
        }
        return null;
    }

    public int asc() {
        return additional.asc();
    }

    public int ascq() {
        return additional.ascq();
    }

    /** Encodes as SPC-5 fixed format (response code 70h, current error). */
    public byte[] encodeFixed() {
        byte[] b = new byte[FIXED_LENGTH];
        b[0] =
                (byte)
                        (0x70
                                | (information.isPresent()
                                        ? 0x80
                                        : 0)); // VALID bit when INFORMATION is set
        b[2] = (byte) key.code();
        if (information.isPresent()) {
            long info = information.getAsLong();
            b[3] = (byte) (info >> 24);
            b[4] = (byte) (info >> 16);
            b[5] = (byte) (info >> 8);
            b[6] = (byte) info;
        }
        b[7] = (byte) (FIXED_LENGTH - 8); // additional sense length
        if (commandSpecific.isPresent()) {
            long csi = commandSpecific.getAsLong();
            b[8] = (byte) (csi >> 24);
            b[9] = (byte) (csi >> 16);
            b[10] = (byte) (csi >> 8);
            b[11] = (byte) csi;
        }
        b[12] = (byte) additional.asc();
        b[13] = (byte) additional.ascq();
        byte[] sks = senseKeySpecific();
        if (sks != null) {
            System.arraycopy(sks, 0, b, 15, 3);
        }
        return b;
    }

    /**
     * Encodes as SPC-5 descriptor format (response code 72h) with information and SKS descriptors.
     */
    public byte[] encodeDescriptor() {
        byte[] sks = senseKeySpecific();
        int len =
                8
                        + (information.isPresent() ? 12 : 0)
                        + (commandSpecific.isPresent() ? 12 : 0)
                        + (sks != null ? 8 : 0);
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put((byte) 0x72)
                .put((byte) key.code())
                .put((byte) additional.asc())
                .put((byte) additional.ascq());
        b.put(new byte[3]).put((byte) (len - 8));
        if (information.isPresent()) {
            b.put((byte) 0x00).put((byte) 0x0A).put((byte) 0x80).put((byte) 0);
            b.putLong(information.getAsLong());
        }
        if (commandSpecific.isPresent()) { // SPC-5 §4.4.2.3 command-specific information descriptor
            b.put((byte) 0x01).put((byte) 0x0A).put((byte) 0).put((byte) 0);
            b.putLong(commandSpecific.getAsLong());
        }
        if (sks != null) {
            b.put((byte) 0x02).put((byte) 0x06).put((byte) 0).put((byte) 0);
            b.put(sks).put((byte) 0);
        }
        return b.array();
    }

    public byte[] encode(boolean descriptorFormat) {
        return descriptorFormat ? encodeDescriptor() : encodeFixed();
    }

    /** Parses fixed or descriptor sense data, as an initiator receives it. */
    public static SenseData parse(byte[] b) {
        if (b.length < 8) {
            throw new IllegalArgumentException("sense data shorter than 8 bytes");
        }
        int code = b[0] & 0x7F;
        if (code == 0x70 || code == 0x71) {
            if (b.length < 14) {
                throw new IllegalArgumentException("fixed sense data shorter than 14 bytes");
            }
            SenseKey key = SenseKey.fromCode(b[2] & 0x0F);
            AdditionalSense as = new AdditionalSense(b[12] & 0xFF, b[13] & 0xFF, "");
            OptionalLong info =
                    (b[0] & 0x80) != 0
                            ? OptionalLong.of(
                                    ((b[3] & 0xFFL) << 24)
                                            | ((b[4] & 0xFFL) << 16)
                                            | ((b[5] & 0xFFL) << 8)
                                            | (b[6] & 0xFFL))
                            : OptionalLong.empty();
            return new SenseData(key, as, info, null);
        }
        if (code == 0x72 || code == 0x73) {
            return new SenseData(
                    SenseKey.fromCode(b[1] & 0x0F),
                    new AdditionalSense(b[2] & 0xFF, b[3] & 0xFF, ""),
                    OptionalLong.empty(),
                    null);
        }
        throw new IllegalArgumentException(
                "unknown sense response code 0x" + Integer.toHexString(code));
    }

    @Override
    public String toString() {
        return key + " " + additional;
    }
}
