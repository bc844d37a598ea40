package org.iscsilab.core.lu;

import java.time.Duration;

/**
 * How a logical unit presents its medium: logical block size, physical block size (SBC-4 §4.6:
 * reported as LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT), write protection, thin provisioning and
 * removable medium (SBC-4 §4.15).
 */
public record UnitFormat(
        int blockSize,
        int physicalBlockSize,
        boolean readOnly,
        boolean thin,
        boolean removable,
        Duration sanitizeDuration) {

    /** How long a SANITIZE stays in progress unless a LUN says otherwise. */
    public static final Duration DEFAULT_SANITIZE_DURATION = Duration.ofSeconds(8);

    public UnitFormat(int blockSize, int physicalBlockSize, boolean readOnly, boolean thin) {
        this(blockSize, physicalBlockSize, readOnly, thin, false);
    }

    public UnitFormat(
            int blockSize,
            int physicalBlockSize,
            boolean readOnly,
            boolean thin,
            boolean removable) {
        this(blockSize, physicalBlockSize, readOnly, thin, removable, DEFAULT_SANITIZE_DURATION);
    }

    public UnitFormat {
        if (blockSize != 512 && blockSize != 4096) {
            throw new IllegalArgumentException("block size must be 512 or 4096, not " + blockSize);
        }
        if (physicalBlockSize < blockSize
                || Integer.bitCount(physicalBlockSize) != 1
                || physicalBlockSize / blockSize > 1 << 15) {
            throw new IllegalArgumentException(
                    "physical block size must be a power of two of at least the block size ("
                            + blockSize
                            + "), not "
                            + physicalBlockSize);
        }
    }

    public static UnitFormat of(int blockSize) {
        return new UnitFormat(blockSize, blockSize, false, false);
    }

    /** LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (SBC-4 §5.21.2). */
    public int logicalBlocksPerPhysicalBlockExponent() {
        return Integer.numberOfTrailingZeros(physicalBlockSize / blockSize);
    }
}
