package org.iscsilab.core.xcopy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.iscsilab.scsi.ScsiOpcode;

/**
 * The Third-party Copy VPD page (SPC-4 §7.8.17): which copy commands and descriptors the copy
 * manager supports and its limits, as third-party copy descriptors padded to four bytes.
 */
public final class ThirdPartyCopyVpd {
    public static final int PAGE_CODE = 0x8F;
    static final int SUPPORTED_COMMANDS = 0x0001;
    static final int PARAMETER_DATA = 0x0004;
    static final int SUPPORTED_DESCRIPTORS = 0x0008;
    static final int SUPPORTED_CSCD_DESCRIPTOR_IDS = 0x000C;
    static final int GENERAL_COPY_OPERATIONS = 0x8001;

    private ThirdPartyCopyVpd() {}

    /** The page's descriptors, without the 4-byte VPD header. */
    public static byte[] descriptors() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(supportedCommands());
        out.writeBytes(parameterData());
        out.writeBytes(supportedDescriptors());
        out.writeBytes(
                descriptor(SUPPORTED_CSCD_DESCRIPTOR_IDS, new byte[2])); // no CSCD descriptor IDs
        out.writeBytes(generalCopyOperations());
        return out.toByteArray();
    }

    /** SPC-4 §7.8.17.3: each command with its service actions. */
    private static byte[] supportedCommands() {
        byte[][] commands = {
            {
                (byte) ScsiOpcode.THIRD_PARTY_COPY_OUT,
                1,
                ThirdPartyCopyCommands.SA_EXTENDED_COPY_LID1
            },
            {
                (byte) ScsiOpcode.THIRD_PARTY_COPY_IN,
                3,
                ThirdPartyCopyCommands.SA_COPY_STATUS,
                ThirdPartyCopyCommands.SA_OPERATING_PARAMETERS,
                ThirdPartyCopyCommands.SA_FAILED_SEGMENT_DETAILS
            }
        };
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (byte[] c : commands) {
            list.writeBytes(c);
        }
        byte[] l = list.toByteArray();
        ByteBuffer body = ByteBuffer.allocate(1 + l.length);
        body.put((byte) l.length).put(l);
        return descriptor(SUPPORTED_COMMANDS, body.array());
    }

    /** SPC-4 §7.8.17.5: the descriptor limits of EXTENDED COPY (LID1). */
    private static byte[] parameterData() {
        ByteBuffer body = ByteBuffer.allocate(0x1C);
        body.putShort(4, (short) CopyLimits.MAX_CSCD_DESCRIPTORS);
        body.putShort(6, (short) CopyLimits.MAX_SEGMENT_DESCRIPTORS);
        body.putInt(8, CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH);
        body.putInt(12, 0); // MAXIMUM INLINE DATA LENGTH
        return descriptor(PARAMETER_DATA, body.array());
    }

    /** SPC-4 §7.8.17.6: the CSCD and segment descriptor type codes. */
    private static byte[] supportedDescriptors() {
        int[] codes = CopyLimits.IMPLEMENTED_DESCRIPTORS;
        ByteBuffer body = ByteBuffer.allocate(1 + codes.length);
        body.put((byte) codes.length);
        for (int c : codes) {
            body.put((byte) c);
        }
        return descriptor(SUPPORTED_DESCRIPTORS, body.array());
    }

    /** SPC-4 §7.8.17.8: concurrency and segment length. */
    private static byte[] generalCopyOperations() {
        ByteBuffer body = ByteBuffer.allocate(0x20);
        body.putInt(0, CopyLimits.MAX_CONCURRENT_COPIES); // TOTAL CONCURRENT COPIES
        body.putInt(4, CopyLimits.MAX_CONCURRENT_COPIES); // MAXIMUM IDENTIFIED CONCURRENT COPIES
        body.putInt(8, (int) CopyLimits.MAX_SEGMENT_LENGTH);
        body.put(12, (byte) 9); // DATA SEGMENT GRANULARITY: 2^9
        return descriptor(GENERAL_COPY_OPERATIONS, body.array());
    }

    /** A third-party copy descriptor: type, length, body padded to a multiple of four bytes. */
    private static byte[] descriptor(int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(4 + padded);
        b.putShort((short) type).putShort((short) padded).put(body);
        return b.array();
    }
}
