package org.iscsilab.core.xcopy;

/**
 * What this copy manager accepts: reported by RECEIVE COPY RESULTS OPERATING PARAMETERS (SPC-4
 * §6.18.4) and the Third-party Copy VPD page (SPC-4 §7.8.17), enforced by EXTENDED COPY.
 */
public final class CopyLimits {
    /** SPC-4 §6.4.5: identification descriptor CSCD (target) descriptor. */
    public static final int IDENTIFICATION_CSCD = 0xE4;

    /** SPC-4 §6.4.6.5: block device to block device segment descriptor. */
    public static final int BLOCK_TO_BLOCK_SEGMENT = 0x02;

    /** Descriptor type codes implemented, in ascending order. */
    static final int[] IMPLEMENTED_DESCRIPTORS = {BLOCK_TO_BLOCK_SEGMENT, IDENTIFICATION_CSCD};

    public static final int MAX_CSCD_DESCRIPTORS = 8;
    public static final int MAX_SEGMENT_DESCRIPTORS = 64;

    /** Sum of the CSCD and segment descriptor list lengths. */
    public static final int MAX_DESCRIPTOR_LIST_LENGTH = 4096;

    /** Bytes one segment may move: 65535 blocks of 4096 bytes fit. */
    public static final long MAX_SEGMENT_LENGTH = 256L << 20;

    /** Copies one logical unit runs at the same time, over all I_T nexuses. */
    public static final int MAX_CONCURRENT_COPIES = 16;

    /** Completed copies whose results a logical unit keeps for RECEIVE COPY RESULTS. */
    static final int MAX_HELD_RESULTS = 64;

    /** The copy moves data in pieces of this size, each under the media's shared lock. */
    static final int CHUNK_BYTES = 1 << 20;

    private CopyLimits() {}
}
