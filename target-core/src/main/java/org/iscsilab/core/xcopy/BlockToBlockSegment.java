package org.iscsilab.core.xcopy;

/**
 * A block device to block device segment descriptor (SPC-4 §6.4.6.5): copy NUMBER OF BLOCKS blocks
 * from the source CSCD's LBA to the destination CSCD's LBA. With DC set the count is in destination
 * blocks, otherwise in source blocks. CAT (residue handling) has no effect here: a segment whose
 * byte count is not whole blocks on both sides is refused.
 *
 * @param number the segment's position in the list, from 0, as COPY STATUS counts segments
 */
record BlockToBlockSegment(
        int number,
        boolean destinationCount,
        boolean cat,
        int sourceIndex,
        int destinationIndex,
        int blocks,
        long sourceLba,
        long destinationLba) {
    static final int DESCRIPTOR_LENGTH = 0x18;
}
