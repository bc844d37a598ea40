package org.iscsilab.host.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The multipath writer's stamps, and what a check of them after the writer stopped expects. */
class StampedBlocksTest {
    @Test
    void aStampIsOneLineOfFourKibThatNamesItsRoundAndBlock() {
        byte[] b = StampedBlocks.stamp(3, 17);
        assertEquals(4096, b.length);
        String text = new String(b, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("iscsilab-mp round=3 block=17 "));
        assertEquals('\n', text.charAt(4095));
        assertEquals(text.strip().length(), "iscsilab-mp round=3 block=17".length());
    }

    @Test
    void blocksUpToWhereTheWriterStoppedHoldItsLastRoundAndTheRestTheRoundBefore() {
        StampedBlocks w = new StampedBlocks(4, 2, 1);
        assertEquals(2, w.expectedRound(0));
        assertEquals(2, w.expectedRound(1));
        assertEquals(1, w.expectedRound(2));
        assertEquals(1, w.expectedRound(3));
        byte[] disk = disk(w, 2, 2, 1, 1);
        assertEquals(List.of(), w.mismatches(disk));
    }

    @Test
    void aBlockThatLostItsLastAcknowledgedWriteIsNamed() {
        StampedBlocks w = new StampedBlocks(4, 2, 1);
        byte[] disk = disk(w, 2, 1, 1, 1); // block 1 still holds round 1
        assertEquals(
                List.of(
                        "block 1: want iscsilab-mp round=2 block=1, got 'iscsilab-mp round=1"
                                + " block=1'"),
                w.mismatches(disk));
    }

    @Test
    void theBlockOfAFailedWriteMayHoldEitherStampAndNoOtherMay() {
        // round 2 acknowledged blocks 0 and 1; its write of block 2 failed
        StampedBlocks w = new StampedBlocks(4, 2, 1, 2, 2);
        assertEquals(List.of(), w.mismatches(disk(w, 2, 2, 1, 1)), "the failed write missed");
        assertEquals(List.of(), w.mismatches(disk(w, 2, 2, 2, 1)), "the failed write landed");
        assertEquals(1, w.mismatches(disk(w, 2, 2, 1, 2)).size(), "block 3 was not written");
    }

    @Test
    void blocksTheFirstRoundNeverReachedAreNotChecked() {
        StampedBlocks w = new StampedBlocks(4, 1, 1);
        byte[] disk = new byte[4 * 4096];
        System.arraycopy(StampedBlocks.stamp(1, 0), 0, disk, 0, 4096);
        System.arraycopy(StampedBlocks.stamp(1, 1), 0, disk, 4096, 4096);
        assertEquals(List.of(), w.mismatches(disk));
    }

    private static byte[] disk(StampedBlocks w, int... rounds) {
        byte[] disk = new byte[w.blocks() * 4096];
        for (int b = 0; b < rounds.length; b++) {
            System.arraycopy(StampedBlocks.stamp(rounds[b], b), 0, disk, b * 4096, 4096);
        }
        return disk;
    }
}
