package org.iscsilab.scsi;

/** Thrown by a command handler to end the command with CHECK CONDITION and this sense data. */
public final class SenseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final SenseData sense;

    public SenseException(SenseData sense) {
        super(sense.toString(), null, false, false);
        this.sense = sense;
    }

    public SenseData sense() {
        return sense;
    }

    public static SenseException invalidFieldInCdb(int byteOffset) {
        return new SenseException(
                SenseData.illegalRequest(
                        AdditionalSense.INVALID_FIELD_IN_CDB,
                        SenseData.FieldPointer.cdbByte(byteOffset)));
    }

    public static SenseException invalidFieldInCdb(int byteOffset, int bit) {
        return new SenseException(
                SenseData.illegalRequest(
                        AdditionalSense.INVALID_FIELD_IN_CDB,
                        SenseData.FieldPointer.cdbBit(byteOffset, bit)));
    }

    public static SenseException lbaOutOfRange() {
        return new SenseException(
                SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE));
    }

    public static SenseException invalidOpcode() {
        return new SenseException(
                SenseData.illegalRequest(
                        AdditionalSense.INVALID_COMMAND_OPERATION_CODE,
                        SenseData.FieldPointer.cdbByte(0)));
    }

    public static SenseException of(SenseKey key, AdditionalSense additional) {
        return new SenseException(SenseData.of(key, additional));
    }
}
