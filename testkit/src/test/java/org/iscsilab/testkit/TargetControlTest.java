package org.iscsilab.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.iscsilab.scsi.ScsiOpcode;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One control interface, the same behaviour in the test's JVM and over the admin API. */
class TargetControlTest {
    private static TargetControl control(IscsiTarget target, String way) throws Exception {
        return way.equals("embedded")
                ? target
                : TargetControl.remote(target.embedded().startAdmin().toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "remote"})
    void faultsEventsAndLunsAreControlledAlike(String way) throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:1M").start();
                BlockDevice disk = target.connect(0)) {
            TargetControl control = control(target, way);
            List<Session> sessions = control.sessions();
            assertEquals(1, sessions.size(), "the disk's session: " + sessions);
            Session session = sessions.get(0);
            assertEquals(target.iqn(), session.target());
            assertFalse(session.discovery());
            assertTrue(session.tsih() > 0 && session.isid().length() == 12, session.toString());

            FaultHandle rule = control.add(Faults.mediumError().lun(0).lbas(5, 5).reads());
            ScsiCommandException e =
                    assertThrows(ScsiCommandException.class, () -> disk.read(5, 1));
            assertEquals(SenseKey.MEDIUM_ERROR, e.senseKey());
            assertEquals(1, rule.fired());
            assertEquals(
                    1,
                    control.events()
                            .commands()
                            .opcode(ScsiOpcode.READ_16)
                            .status("CHECK_CONDITION")
                            .count());
            assertTrue(rule.remove());
            assertFalse(rule.remove(), "gone already");
            assertArrayEquals(new byte[512], disk.read(5, 1));

            assertEquals(1, control.addLun("ram:2M,removable"));
            assertEquals(List.of(0, 1), control.luns());
            control.resizeLun(0, 2 << 20);
            disk.read(0, 1); // CAPACITY DATA HAS CHANGED, handled by the disk
            assertEquals(4096, disk.blocks());
            control.setReadOnly(0, true);
            ScsiCommandException ro =
                    assertThrows(ScsiCommandException.class, () -> disk.write(0, new byte[512]));
            assertEquals(SenseKey.DATA_PROTECT, ro.senseKey());
            control.setReadOnly(0, false);
            control.setMediumLoaded(1, false);
            ScsiCommandException noMedium =
                    assertThrows(ScsiCommandException.class, () -> target.connect(1));
            assertEquals(0x3A, noMedium.asc(), "MEDIUM NOT PRESENT");
            control.setMediumLoaded(1, true);
            control.removeLun(1);
            assertEquals(List.of(0), control.luns());
            control.add(Faults.busy().every(2));
            control.clearFaults();
            assertTrue(target.faults().list().isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "remote"})
    void aRefusedChangeSaysWhyAndChangesNothing(String way) throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:1M").start()) {
            TargetControl control = control(target, way);
            RuntimeException e =
                    assertThrows(RuntimeException.class, () -> control.resizeLun(0, 1000));
            assertTrue(e.getMessage().contains("not a multiple"), e.getMessage());
            assertThrows(RuntimeException.class, () -> control.setMediumLoaded(0, false));
            assertEquals(2048, target.embedded().device().logicalUnit(0).blockCount());
        }
    }

    /** The default target port group (every port) through either control. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "remote"})
    void accessStatesAreControlledAlikeAndTheDiskMeetsThem(String way) throws Exception {
        try (IscsiTarget target = IscsiTarget.builder().lun("ram:1M").start();
                BlockDevice disk = target.connect(0)) {
            TargetControl control = control(target, way);
            control.setAccessState(1, "standby");
            ScsiCommandException standby =
                    assertThrows(ScsiCommandException.class, () -> disk.read(0, 1));
            assertEquals(SenseKey.NOT_READY, standby.senseKey());
            assertEquals(0x04, standby.asc());
            assertEquals(0x0B, standby.ascq(), "target port in standby state");
            control.transitionAccessState(1, "active-optimized", Duration.ofMillis(100), false);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (true) {
                try {
                    disk.read(0, 1);
                    break;
                } catch (ScsiCommandException notYet) {
                    assertEquals(SenseKey.NOT_READY, notYet.senseKey(), notYet.getMessage());
                    assertTrue(System.nanoTime() < deadline, "the transition never ended");
                    Thread.sleep(20);
                }
            }
            assertEquals(
                    List.of("standby", "transitioning", "active-optimized"),
                    control.events().accessStates().list().stream()
                            .map(AccessStateEvent::state)
                            .toList());
            RuntimeException bad =
                    assertThrows(RuntimeException.class, () -> control.setAccessState(1, "sleepy"));
            assertTrue(bad.getMessage().contains("sleepy"), bad.getMessage());
        }
    }
}
