package org.iscsilab.core.xcopy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.SenseData;
import org.iscsilab.scsi.SenseData.FieldPointer;
import org.iscsilab.scsi.SenseException;
import org.iscsilab.scsi.SenseKey;

/**
 * The parameter list of EXTENDED COPY (LID1) (SPC-4 §6.4.3): a 16-byte header, CSCD descriptors,
 * segment descriptors and inline data. Parsing checks everything before any data moves.
 */
record CopyParameterList(
        int listId,
        ListIdUsage usage,
        List<IdentificationCscd> cscds,
        List<BlockToBlockSegment> segments) {
    static final int HEADER_LENGTH = 16;

    /** SPC-4 §6.4.3 table "LIST ID USAGE field". */
    enum ListIdUsage {
        /** 00b: hold results for RECEIVE COPY RESULTS; the list identifier must be unique. */
        HOLD,
        /** 10b: do not hold results; the list identifier must be unique. */
        NO_HOLD,
        /** 11b: no list identifier at all (LIST IDENTIFIER must be zero). */
        NO_LIST_ID
    }

    /** Parses {@code length} bytes of parameter data from the buffer's position. */
    static CopyParameterList parse(ByteBuffer data, int length) {
        ByteBuffer p = data.slice(data.position(), length);
        if (length < HEADER_LENGTH) {
            throw parameterListLengthError();
        }
        int listId = p.get(0) & 0xFF;
        int usageBits = (p.get(1) >> 3) & 0x03;
        int cscdListLength = p.getShort(2) & 0xFFFF;
        long segmentListLength = p.getInt(8) & 0xFFFFFFFFL;
        long inlineLength = p.getInt(12) & 0xFFFFFFFFL;
        // SPC-4 §6.4.3: the lists must fit in the parameter list length...
        if (HEADER_LENGTH + cscdListLength + segmentListLength + inlineLength > length) {
            throw parameterListLengthError();
        }
        // ...and the descriptors within MAXIMUM DESCRIPTOR LIST LENGTH
        if (cscdListLength + segmentListLength > CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH) {
            throw parameterListLengthError();
        }
        if (inlineLength > 0) { // MAXIMUM INLINE DATA LENGTH is zero
            throw new SenseException(
                    SenseData.illegalRequest(
                            AdditionalSense.INLINE_DATA_LENGTH_EXCEEDED,
                            FieldPointer.parameterByte(12)));
        }
        ListIdUsage usage =
                switch (usageBits) {
                    case 0 -> ListIdUsage.HOLD;
                    case 2 -> ListIdUsage.NO_HOLD;
                    case 3 -> ListIdUsage.NO_LIST_ID;
                    default -> throw invalidField(1, 4);
                };
        if (usage == ListIdUsage.NO_LIST_ID && listId != 0) {
            throw invalidField(0, -1);
        }
        List<IdentificationCscd> cscds = parseCscds(p, HEADER_LENGTH, cscdListLength);
        List<BlockToBlockSegment> segments =
                parseSegments(p, HEADER_LENGTH + cscdListLength, (int) segmentListLength);
        return new CopyParameterList(listId, usage, List.copyOf(cscds), List.copyOf(segments));
    }

    private static List<IdentificationCscd> parseCscds(ByteBuffer p, int start, int listLength) {
        List<IdentificationCscd> out = new ArrayList<>();
        int end = start + listLength;
        for (int at = start; at < end; at += IdentificationCscd.LENGTH) {
            int type = p.get(at) & 0xFF;
            if (type != CopyLimits.IDENTIFICATION_CSCD) {
                throw new SenseException(
                        SenseData.illegalRequest(
                                AdditionalSense.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE,
                                FieldPointer.parameterByte(at)));
            }
            if (out.size() == CopyLimits.MAX_CSCD_DESCRIPTORS) {
                throw new SenseException(
                        SenseData.of(
                                SenseKey.ILLEGAL_REQUEST,
                                AdditionalSense.TOO_MANY_TARGET_DESCRIPTORS));
            }
            if (at + IdentificationCscd.LENGTH > end) { // the list ends inside a descriptor
                throw invalidField(2, -1);
            }
            int designatorLength = p.get(at + 7) & 0xFF;
            if (designatorLength > IdentificationCscd.MAX_DESIGNATOR_LENGTH) {
                throw invalidField(at + 7, -1);
            }
            byte[] designator = new byte[designatorLength];
            p.get(at + 8, designator);
            int diskBlockLength =
                    ((p.get(at + 29) & 0xFF) << 16)
                            | ((p.get(at + 30) & 0xFF) << 8)
                            | (p.get(at + 31) & 0xFF);
            out.add(
                    new IdentificationCscd(
                            out.size(),
                            p.get(at + 1) & 0x1F,
                            p.get(at + 4) & 0x0F,
                            (p.get(at + 5) >> 4) & 0x03,
                            p.get(at + 5) & 0x0F,
                            designator,
                            diskBlockLength));
        }
        return out;
    }

    private static List<BlockToBlockSegment> parseSegments(
            ByteBuffer p, int start, int listLength) {
        List<BlockToBlockSegment> out = new ArrayList<>();
        int end = start + listLength;
        int at = start;
        while (at < end) {
            if (at + 4 > end) {
                throw invalidField(8, -1);
            }
            int type = p.get(at) & 0xFF;
            int descriptorLength = p.getShort(at + 2) & 0xFFFF;
            if (type != CopyLimits.BLOCK_TO_BLOCK_SEGMENT) {
                throw new SenseException(
                        SenseData.illegalRequest(
                                AdditionalSense.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE,
                                FieldPointer.parameterByte(at)));
            }
            if (out.size() == CopyLimits.MAX_SEGMENT_DESCRIPTORS) {
                throw new SenseException(
                        SenseData.of(
                                SenseKey.ILLEGAL_REQUEST,
                                AdditionalSense.TOO_MANY_SEGMENT_DESCRIPTORS));
            }
            if (descriptorLength != BlockToBlockSegment.DESCRIPTOR_LENGTH) {
                throw invalidField(at + 2, -1);
            }
            if (at + 4 + descriptorLength > end) {
                throw invalidField(8, -1);
            }
            int flags = p.get(at + 1);
            out.add(
                    new BlockToBlockSegment(
                            out.size(),
                            (flags & 0x02) != 0,
                            (flags & 0x01) != 0,
                            p.getShort(at + 4) & 0xFFFF,
                            p.getShort(at + 6) & 0xFFFF,
                            p.getShort(at + 10) & 0xFFFF,
                            p.getLong(at + 12),
                            p.getLong(at + 20)));
            at += 4 + descriptorLength;
        }
        return out;
    }

    private static SenseException parameterListLengthError() {
        return SenseException.of(
                SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
    }

    private static SenseException invalidField(int offset, int bit) {
        return new SenseException(
                SenseData.illegalRequest(
                        AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                        bit < 0
                                ? FieldPointer.parameterByte(offset)
                                : new FieldPointer(false, offset, bit)));
    }
}
