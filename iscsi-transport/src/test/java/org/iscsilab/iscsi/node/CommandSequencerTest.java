package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Commands reach execution in CmdSN order; those outside [ExpCmdSN, MaxCmdSN] are ignored (RFC 7143
 * §4.2.2.1).
 */
class CommandSequencerTest {
    private final List<Integer> ran = new ArrayList<>();
    private final CommandSequencer seq = new CommandSequencer(10, 4);

    private CommandSequencer.Admission offer(int sn) {
        return seq.offer(sn, () -> ran.add(sn));
    }

    @Test
    void inOrderCommandsRunAtOnceAndMoveTheWindow() {
        assertEquals(CommandSequencer.Admission.DELIVERED, offer(10));
        assertEquals(CommandSequencer.Admission.DELIVERED, offer(11));
        assertEquals(List.of(10, 11), ran);
        assertEquals(12, seq.expCmdSn());
        assertEquals(15, seq.maxCmdSn());
    }

    @Test
    void aGapHoldsLaterCommandsUntilItFills() {
        assertEquals(CommandSequencer.Admission.HELD, offer(12));
        assertEquals(CommandSequencer.Admission.HELD, offer(11));
        assertEquals(List.of(), ran);
        offer(10);
        assertEquals(List.of(10, 11, 12), ran);
        assertEquals(13, seq.expCmdSn());
    }

    @Test
    void commandsOutsideTheWindowAreIgnored() {
        assertEquals(CommandSequencer.Admission.OUT_OF_WINDOW, offer(14), "MaxCmdSN + 1");
        assertEquals(CommandSequencer.Admission.OUT_OF_WINDOW, offer(9), "ExpCmdSN - 1");
        assertEquals(List.of(), ran);
    }

    @Test
    void expCmdSnAlreadyCountsTheRunningCommand() {
        seq.offer(10, () -> assertEquals(11, seq.expCmdSn(), "its response acknowledges it"));
    }

    @Test
    void theWindowWrapsAroundTwoToTheThirtyTwo() {
        CommandSequencer wrap = new CommandSequencer(0xFFFFFFFE, 8);
        List<Integer> order = new ArrayList<>();
        wrap.offer(0, () -> order.add(0));
        wrap.offer(0xFFFFFFFF, () -> order.add(-1));
        wrap.offer(0xFFFFFFFE, () -> order.add(-2));
        assertEquals(List.of(-2, -1, 0), order);
        assertEquals(1, wrap.expCmdSn());
    }

    @Test
    void aConsumedCmdSnUnblocksTheCommandsAfterIt() {
        offer(11);
        seq.consume(10);
        assertEquals(List.of(11), ran);
    }
}
