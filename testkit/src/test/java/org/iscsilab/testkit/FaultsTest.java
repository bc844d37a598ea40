package org.iscsilab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.Test;

/** Fault rules built in Java: the rule text they stand for, and what they do on a live target. */
class FaultsTest {
    @Test
    void eachBuilderStandsForTheRuleTextTheTargetReads() {
        assertEquals(
                "medium-error,lun=0,lba=100-199,op=read",
                Faults.mediumError().lun(0).lbas(100, 199).reads().spec());
        assertEquals(
                "check-condition,sense=NOT_READY/04/01,once",
                Faults.checkCondition(SenseKey.NOT_READY, 0x04, 0x01).once().spec());
        assertEquals(
                "unit-attention,sense=2A/09,lun=1", Faults.unitAttention(0x2A, 0x09).lun(1).spec());
        assertEquals("busy,op=write,every=3", Faults.busy().writes().every(3).spec());
        assertEquals(
                "hang,timeout=3000ms,op=sync", Faults.hang(Duration.ofSeconds(3)).syncs().spec());
        assertEquals(
                "delay=250ms,op=0x28", Faults.delay(Duration.ofMillis(250)).opcode(0x28).spec());
        assertEquals(
                "freeze,initiator=iqn.2026-01.org.example:host,for=5000ms",
                Faults.freeze()
                        .initiator("iqn.2026-01.org.example:host")
                        .forDuration(Duration.ofSeconds(5))
                        .spec());
        assertEquals("drop,fin=false,after=10", Faults.reset().after(10).spec());
        assertEquals("refuse-login,status=02/01", Faults.refuseLogin(2, 1).spec());
        for (Fault f :
                new Fault[] {
                    Faults.taskSetFull(),
                    Faults.reservationConflict(),
                    Faults.hang(),
                    Faults.corrupt(),
                    Faults.drop(),
                    Faults.ignoreTaskManagement()
                }) {
            assertFalse(f.spec().isEmpty());
        }
    }

    @Test
    void aRuleTheTargetWouldRefuseIsRefusedWhenItIsWritten() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Faults.busy().every(0).spec());
        assertTrue(e.getMessage().contains("every=0"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> Faults.freeze().lun(0).spec()); // a connection fault has no LUN
    }

    @Test
    void aRuleInForceIsCountedAndRemovedAndItsFiringsAreInTheEventLog() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:1M").start();
                BlockDevice disk = target.connect(0)) {
            FaultHandle rule = target.add(Faults.mediumError().lun(0).lbas(10, 19).reads());
            assertThrows(ScsiCommandException.class, () -> disk.read(12, 1));
            disk.read(20, 1);
            assertEquals(1, rule.fired());
            assertEquals(1, target.events().faults().count());
            assertEquals(
                    1,
                    target.events()
                            .commands()
                            .opcode(ScsiOpcode.READ_16)
                            .touching(12, 12)
                            .status("CHECK_CONDITION")
                            .count());
            assertTrue(rule.remove());
            disk.read(12, 1);
            assertEquals(1, rule.fired(), "removed rules fire no more");
            assertEquals(
                    2,
                    target.events().commands().opcode(ScsiOpcode.READ_16).touching(12, 12).count());
        }
    }
}
