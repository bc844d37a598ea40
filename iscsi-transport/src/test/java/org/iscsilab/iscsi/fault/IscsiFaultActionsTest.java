package org.iscsilab.iscsi.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.iscsilab.core.fault.EventLog;
import org.iscsilab.core.fault.FaultAction;
import org.iscsilab.core.fault.FaultContext;
import org.iscsilab.core.fault.FaultRules;
import org.iscsilab.core.fault.ScsiFaultAction;
import org.junit.jupiter.api.Test;

/**
 * The transport's connection and login actions, in the one rule language beside the core's SCSI
 * actions.
 */
class IscsiFaultActionsTest {
    private final FaultRules rules =
            new FaultRules(new EventLog(100), IscsiFaultActions.ALL_LAYERS);

    private static FaultContext connection(String portal) {
        return FaultContext.connection(portal, "iqn.t", "iqn.i", 1);
    }

    @Test
    void eachLayersActionsComeFromItsOwnTable() {
        assertInstanceOf(
                ScsiFaultAction.CheckCondition.class, rules.add("medium-error,lun=0").action());
        assertInstanceOf(
                ConnectionFaultAction.IgnoreTaskManagement.class,
                rules.add("ignore-tmf,initiator=iqn.i").action());
        assertEquals(new ConnectionFaultAction.Drop(false), rules.add("drop,fin=false").action());
        assertEquals(
                new ConnectionFaultAction.AsyncMessage(2), rules.add("async,event=2").action());
        assertEquals(
                new LoginFaultAction.RefuseLogin(3, 1),
                rules.add("refuse-login,status=03/01").action());
        assertEquals(
                new LoginFaultAction.DelayLogin(Duration.ofSeconds(2)),
                rules.add("delay-login=2s").action());
    }

    @Test
    void rulesOfAnotherLayerDoNotFireForCommands() {
        rules.add("freeze,portal=127.0.0.1:3260");
        assertNull(
                rules.firing(
                        FaultAction.Layer.SCSI,
                        new FaultContext(
                                "127.0.0.1:3260", "iqn.t", "iqn.i", 1, 1, 0, 0x28, 0, 1, 1)));
        assertTrue(
                rules.active(
                        FaultAction.Layer.CONNECTION,
                        ConnectionFaultAction.Freeze.class,
                        connection("127.0.0.1:3260")));
        assertTrue(
                !rules.active(
                        FaultAction.Layer.CONNECTION,
                        ConnectionFaultAction.Freeze.class,
                        connection("127.0.0.1:3261")),
                "another portal");
    }

    @Test
    void mistakesAreExplainedAndChangeNothing() {
        assertMessage("only narrow SCSI actions", "freeze,lun=0");
        assertMessage("only narrow SCSI actions", "ignore-tmf,lun=0");
        assertMessage("status class 01 (redirect), 02", "refuse-login,status=00/00");
        assertMessage("use one of check-condition", "explode");
        assertMessage("refuse-login, redirect, delay-login", "explode");
        assertEquals(List.of(), rules.list());
    }

    private void assertMessage(String expected, String spec) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> rules.add(spec));
        assertTrue(e.getMessage().contains(expected), "'" + spec + "' -> " + e.getMessage());
    }
}
