package org.iscsilab.iscsi.initiator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The initiator's command window (RFC 7143 §4.2.2.1): what it sends, what it holds, when it opens.
 */
class CommandWindowTest {
    private final CommandWindow window = new CommandWindow();
    private final List<Integer> sent = new ArrayList<>();

    @Test
    void requestsBeyondMaxCmdSnWaitUntilTheTargetOpensTheWindow() {
        window.update(1, 2); // the login's ExpCmdSN 1, MaxCmdSN 2: room for CmdSN 1 and 2
        for (int i = 0; i < 4; i++) {
            window.enqueue(sent::add);
        }
        assertEquals(List.of(1, 2), sent);
        window.update(2, 3);
        assertEquals(List.of(1, 2, 3), sent);
        window.update(5, 10);
        assertEquals(List.of(1, 2, 3, 4), sent);
        assertEquals(5, window.cmdSn());
    }

    @Test
    void aWindowThatWouldCloseOrMoveBackIsIgnored() {
        window.update(1, 3);
        window.update(1, 1); // MaxCmdSN never moves back
        window.update(8, 5); // MaxCmdSN < ExpCmdSN - 1: ignored altogether
        for (int i = 0; i < 4; i++) {
            window.enqueue(sent::add);
        }
        assertEquals(List.of(1, 2, 3), sent);
    }
}
