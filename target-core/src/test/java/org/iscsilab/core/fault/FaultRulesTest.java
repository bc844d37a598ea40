package org.iscsilab.core.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.Test;

/**
 * Fault rules: their text form, their scope and exactly when each trigger fires; a target's rules
 * accept only the actions of the layers it was given (here the core's SCSI actions).
 */
class FaultRulesTest {
    private final EventLog log = new EventLog(100);
    private final AtomicLong now = new AtomicLong();
    private final FaultRules rules =
            new FaultRules(log, List.of(ScsiFaultActions.INSTANCE), now::get);

    private static FaultContext read(int lun, long lba, long blocks) {
        return new FaultContext(
                "127.0.0.1:3260", "iqn.t", "iqn.i", 1, 1, lun, 0x28, lba, blocks, 1);
    }

    private List<Boolean> fires(int commands, FaultContext c) {
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < commands; i++) {
            out.add(rules.firing(FaultAction.Layer.SCSI, c) != null);
        }
        return out;
    }

    @Test
    void aMediumErrorOnAnLbaRangeHitsOnlyCommandsThatTouchTheRange() {
        FaultRule r = rules.add("medium-error,lun=0,lba=100-199");
        assertInstanceOf(ScsiFaultAction.CheckCondition.class, r.action());
        assertEquals(SenseKey.MEDIUM_ERROR, ((ScsiFaultAction.CheckCondition) r.action()).key());
        assertNull(rules.firing(FaultAction.Layer.SCSI, read(0, 0, 100)), "blocks 0-99");
        assertNotNull(
                rules.firing(FaultAction.Layer.SCSI, read(0, 90, 20)), "blocks 90-109 overlap");
        assertNotNull(rules.firing(FaultAction.Layer.SCSI, read(0, 199, 1)));
        assertNull(rules.firing(FaultAction.Layer.SCSI, read(0, 200, 8)));
        assertNull(rules.firing(FaultAction.Layer.SCSI, read(1, 150, 1)), "another LUN");
        assertEquals(2, r.fired());
        assertEquals(
                2,
                log.count(e -> e.type() == EventLog.Type.FAULT),
                "each firing is in the event log");
    }

    @Test
    void aHangNeverEndsUnlessGivenATimeoutAndThenEndsWithItsSense() {
        ScsiFaultAction.Hang forever = (ScsiFaultAction.Hang) rules.add("hang,op=sync").action();
        assertNull(forever.failAfter());
        ScsiFaultAction.Hang timed = (ScsiFaultAction.Hang) rules.add("hang,timeout=5s").action();
        assertEquals(Duration.ofSeconds(5), timed.failAfter());
        assertEquals(SenseKey.HARDWARE_ERROR, timed.key(), "INTERNAL TARGET FAILURE by default");
        assertEquals(0x44, timed.sense().asc());
        ScsiFaultAction.Hang aborted =
                (ScsiFaultAction.Hang)
                        rules.add("hang,timeout=2s,sense=ABORTED_COMMAND/00/00").action();
        assertEquals(SenseKey.ABORTED_COMMAND, aborted.key());
    }

    @Test
    void everyNthFiresOnTheNthMatchingCommandAndItsMultiples() {
        rules.add("busy,every=3");
        assertEquals(
                List.of(false, false, true, false, false, true, false), fires(7, read(0, 0, 1)));
    }

    @Test
    void onceAndAfterN() {
        FaultRule once = rules.add("task-set-full,once,lun=0");
        rules.add("reservation-conflict,after=2,lun=1");
        assertEquals(List.of(true, false, false), fires(3, read(0, 0, 1)));
        assertEquals(List.of(false, false, true, true), fires(4, read(1, 0, 1)));
        assertEquals(ScsiStatus.TASK_SET_FULL, ((ScsiFaultAction.Status) once.action()).status());
    }

    @Test
    void aSeededProbabilityRepeatsTheSameDecisionsOnEveryRun() {
        rules.add("busy,probability=0.3,seed=42");
        List<Boolean> first = fires(200, read(0, 0, 1));
        FaultRules again =
                new FaultRules(new EventLog(10), List.of(ScsiFaultActions.INSTANCE), now::get);
        again.add("busy,probability=0.3,seed=42");
        List<Boolean> second = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            second.add(again.firing(FaultAction.Layer.SCSI, read(0, 0, 1)) != null);
        }
        assertEquals(first, second);
        long hits = first.stream().filter(b -> b).count();
        assertTrue(hits > 40 && hits < 80, "about 30% of 200: " + hits);
    }

    @Test
    void aDurationTriggerStopsFiringWhenItEnds() {
        rules.add("delay=10ms,for=2s");
        assertNotNull(rules.firing(FaultAction.Layer.SCSI, read(0, 0, 1)));
        now.addAndGet(1_999_000_000L);
        assertNotNull(rules.firing(FaultAction.Layer.SCSI, read(0, 0, 1)));
        now.addAndGet(1_000_000L);
        assertNull(rules.firing(FaultAction.Layer.SCSI, read(0, 0, 1)));
    }

    @Test
    void rulesCanBeListedAndRemovedById() {
        FaultRule a = rules.add("busy");
        FaultRule b = rules.add("hang,op=sync");
        assertEquals(List.of(a, b), rules.list());
        assertTrue(rules.remove(a.id()));
        assertEquals(List.of(b), rules.list());
        assertTrue(!rules.remove(a.id()));
    }

    @Test
    void badSpecsSayWhatToWriteAndAddNothing() {
        assertMessage("unknown action 'explode'", "explode,lun=0");
        assertMessage("needs sense=KEY/ASC/ASCQ", "check-condition,lun=0");
        assertMessage("unknown sense key 'SOGGY'", "check-condition,sense=SOGGY/11/00");
        assertMessage("write FIRST-LAST with FIRST <= LAST", "medium-error,lba=9-3");
        assertMessage("give one trigger", "busy,once,every=2");
        assertMessage("unknown setting(s) [colour]", "busy,colour=red");
        assertMessage("write a duration such as 250ms", "delay=soon");
        assertMessage("probability must be between 0 and 1", "busy,probability=1.5");
        assertMessage(
                "unknown action 'freeze'; use one of check-condition, medium-error", "freeze");
        assertEquals(List.of(), rules.list());
    }

    private void assertMessage(String expected, String spec) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> rules.add(spec));
        assertTrue(e.getMessage().contains(expected), "'" + spec + "' -> " + e.getMessage());
    }

    @Test
    void theEventLogKeepsTheNewestEventsWithinItsCapacity() {
        EventLog small = new EventLog(1000);
        for (int i = 0; i < 1_000_000; i++) {
            small.command("iqn.i", 1, i % 4, 0x2A, i, 8, "GOOD", i);
        }
        assertEquals(1_000_000, small.recorded());
        List<EventLog.Event> held = small.events();
        assertEquals(1000, held.size(), "memory stays at the capacity");
        assertEquals(999_001, held.get(0).sequence());
        assertEquals(250, small.count(e -> e.lun() == 3));
        small.clear();
        assertEquals(0, small.events().size());
        small.login("iqn.i", 2, "SUCCESS", null);
        assertEquals(1_000_001, small.events().get(0).sequence());
    }
}
