package org.iscsilab.host.scenario;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The multipath writer's data: {@code blocks} blocks of 4 KiB rewritten in rounds, each block
 * stamped "iscsilab-mp round=R block=B" and padded with spaces to a 4 KiB line. After the writer
 * stopped at block {@code lastBlock} of round {@code lastRound}, every block up to it holds that
 * round's stamp and every later one the round before's (or nothing, before round 2). A write that
 * failed ({@code failedRound}, {@code failedBlock}; -1 when none did) may or may not have reached
 * the medium, so its block may hold either stamp. The Linux guest's writer writes the same bytes
 * (guest-lib.sh, start_writer).
 */
public record StampedBlocks(
        int blocks, int lastRound, int lastBlock, int failedRound, int failedBlock) {
    public static final int BLOCK_SIZE = 4096;

    /** Where a writer stopped without a failed write. */
    public StampedBlocks(int blocks, int lastRound, int lastBlock) {
        this(blocks, lastRound, lastBlock, -1, -1);
    }

    /** The 4 KiB a block holds after round {@code round} wrote it. */
    public static byte[] stamp(int round, int block) {
        byte[] b = new byte[BLOCK_SIZE];
        Arrays.fill(b, (byte) ' ');
        byte[] text = text(round, block).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, b, 0, text.length);
        b[BLOCK_SIZE - 1] = '\n';
        return b;
    }

    private static String text(int round, int block) {
        return "iscsilab-mp round=" + round + " block=" + block;
    }

    /** The round whose stamp block {@code block} must hold, 0 when none wrote it. */
    public int expectedRound(int block) {
        return block <= lastBlock ? lastRound : lastRound - 1;
    }

    /**
     * Checks blocks read back: {@code content} holds blocks 0 to {@code blocks - 1} in order.
     * Returns a line per block that does not hold its expected stamp.
     */
    public List<String> mismatches(byte[] content) {
        List<String> out = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            int want = expectedRound(b);
            if (want < 1) {
                continue;
            }
            byte[] got = Arrays.copyOfRange(content, b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE);
            boolean failedWriteLanded =
                    b == failedBlock && Arrays.equals(got, stamp(failedRound, b));
            if (!Arrays.equals(got, stamp(want, b)) && !failedWriteLanded) {
                String line = new String(got, 0, 48, StandardCharsets.US_ASCII).strip();
                out.add("block " + b + ": want " + text(want, b) + ", got '" + line + "'");
            }
        }
        return out;
    }
}
