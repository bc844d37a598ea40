package org.iscsilab.core.lu;

/**
 * The limits a logical unit enforces and reports in the Block Limits VPD page (SBC-4 §6.6.3): the
 * commands that check a length and the page that announces it read the same numbers here.
 */
public final class BlockLimits {
    /** MAXIMUM COMPARE AND WRITE LENGTH, in blocks. */
    public static final int MAX_COMPARE_AND_WRITE_BLOCKS = 16;

    /** MAXIMUM UNMAP LBA COUNT. */
    public static final long MAX_UNMAP_LBA_COUNT = 1L << 20;

    /** MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT. */
    public static final int MAX_UNMAP_DESCRIPTORS = 256;

    /** MAXIMUM WRITE SAME LENGTH, in blocks. */
    public static final long MAX_WRITE_SAME_BLOCKS = 1L << 22;

    /** Largest transfer a single READ or WRITE may ask for, in bytes (MAXIMUM TRANSFER LENGTH). */
    public static final int MAX_TRANSFER_BYTES = 64 << 20;

    /** WRITE ATOMIC(16) moves at most this many bytes (MAXIMUM ATOMIC TRANSFER LENGTH). */
    private static final int MAX_ATOMIC_TRANSFER_BYTES = 1 << 20;

    private BlockLimits() {}

    /** MAXIMUM ATOMIC TRANSFER LENGTH of a unit, in its blocks. */
    public static int maxAtomicTransferBlocks(LogicalUnit lu) {
        return MAX_ATOMIC_TRANSFER_BYTES / lu.blockSize();
    }
}
