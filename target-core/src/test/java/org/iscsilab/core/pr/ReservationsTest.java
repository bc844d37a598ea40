package org.iscsilab.core.pr;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.nexus.UnitAttentions;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.SenseException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPC-2 and persistent reservations: who may register, reserve, read and write (SPC-4 §5.12). */
class ReservationsTest {
    private static final ItNexus A = new ItNexus("iqn.2026-01.org.example:a,i,0x1", "t,t,0x1");
    private static final ItNexus B = new ItNexus("iqn.2026-01.org.example:b,i,0x2", "t,t,0x1");
    private static final ItNexus C = new ItNexus("iqn.2026-01.org.example:c,i,0x3", "t,t,0x1");
    private UnitAttentions uas;
    private Reservations r;

    @BeforeEach
    void setUp() {
        uas = new UnitAttentions();
        for (ItNexus n : List.of(A, B, C)) {
            uas.registerIfNew(n);
            uas.take(n); // drop the power-on condition
        }
        r = new Reservations(uas);
    }

    private void assertConflict(ItNexus n, AccessClass a) {
        assertThrows(Reservations.ConflictException.class, () -> r.checkAccess(n, a));
    }

    private void assertAllowed(ItNexus n, AccessClass a) {
        assertDoesNotThrow(() -> r.checkAccess(n, a));
    }

    @Test
    void aUnitWithNothingReservedLetsEveryoneInAndEnforcesAReservationFromTheMomentItIsMade() {
        for (int round = 0;
                round < 2;
                round++) { // the second round starts from a unit that was idle again
            assertAllowed(B, AccessClass.WRITE);
            r.reserve(A);
            assertConflict(B, AccessClass.WRITE);
            r.release(A);
            assertAllowed(B, AccessClass.WRITE);
            r.register(A, 0, 7, false, false);
            r.reserve(A, 7, ReservationType.WRITE_EXCLUSIVE);
            assertConflict(B, AccessClass.WRITE);
            assertAllowed(B, AccessClass.READ);
            r.release(A, 7, ReservationType.WRITE_EXCLUSIVE);
            r.register(A, 7, 0, false, false); // unregisters
            assertAllowed(B, AccessClass.WRITE);
        }
    }

    @Test
    void spc2ReservationBlocksOtherNexusesButNotInquiryAndReleaseFromThemIsANoOp() {
        r.reserve(A);
        r.reserve(A); // again: fine
        assertThrows(Reservations.ConflictException.class, () -> r.reserve(B));
        assertConflict(B, AccessClass.READ);
        assertAllowed(B, AccessClass.ALWAYS);
        r.release(B);
        assertConflict(B, AccessClass.WRITE);
        r.release(A);
        assertAllowed(B, AccessClass.WRITE);
    }

    @Test
    void spc2ReservationEndsWithLunResetAndNexusLoss() {
        r.reserve(A);
        r.reset();
        assertAllowed(B, AccessClass.WRITE);
        r.reserve(A);
        r.nexusLost(A);
        assertAllowed(B, AccessClass.WRITE);
    }

    @Test
    void registrationNeedsTheRightKey() {
        assertThrows(Reservations.ConflictException.class, () -> r.register(A, 5, 7, false, false));
        r.register(A, 0, 7, false, false);
        assertThrows(Reservations.ConflictException.class, () -> r.register(A, 8, 9, false, false));
        r.register(A, 7, 9, false, false);
        r.register(A, 123, 11, true, false); // REGISTER AND IGNORE EXISTING KEY
        assertEquals(List.of(new Registration(A, 11)), r.registrations());
        assertEquals(3, r.generation());
    }

    @Test
    void writeExclusiveLetsEveryoneReadButOnlyTheHolderWrite() {
        r.register(A, 0, 1, false, false);
        r.register(B, 0, 2, false, false);
        r.reserve(A, 1, ReservationType.WRITE_EXCLUSIVE);
        assertAllowed(A, AccessClass.WRITE);
        assertAllowed(B, AccessClass.READ);
        assertConflict(B, AccessClass.WRITE);
        assertAllowed(C, AccessClass.READ);
        assertConflict(C, AccessClass.WRITE);
        assertEquals(1, r.reservationKey());
    }

    @Test
    void exclusiveAccessRegistrantsOnlyAdmitsRegistrantsOnly() {
        r.register(A, 0, 1, false, false);
        r.register(B, 0, 2, false, false);
        r.reserve(A, 1, ReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY);
        assertAllowed(B, AccessClass.WRITE);
        assertConflict(C, AccessClass.READ);
    }

    @Test
    void anotherReservationIsAConflictAndReleaseOfTheWrongTypeIsInvalid() {
        r.register(A, 0, 1, false, false);
        r.register(B, 0, 2, false, false);
        r.reserve(A, 1, ReservationType.EXCLUSIVE_ACCESS);
        assertThrows(
                Reservations.ConflictException.class,
                () -> r.reserve(B, 2, ReservationType.EXCLUSIVE_ACCESS));
        SenseException e =
                assertThrows(
                        SenseException.class,
                        () -> r.release(A, 1, ReservationType.WRITE_EXCLUSIVE));
        assertEquals(
                AdditionalSense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION.asc(), e.sense().asc());
        r.release(B, 2, ReservationType.EXCLUSIVE_ACCESS); // not the holder: no effect
        assertEquals(ReservationType.EXCLUSIVE_ACCESS, r.type());
        r.release(A, 1, ReservationType.EXCLUSIVE_ACCESS);
        assertNull(r.type());
    }

    @Test
    void unregisteringTheHolderReleasesARegistrantsOnlyReservationAndTellsTheOthers() {
        r.register(A, 0, 1, false, false);
        r.register(B, 0, 2, false, false);
        r.reserve(A, 1, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
        r.register(A, 1, 0, false, false);
        assertNull(r.type());
        assertEquals(AdditionalSense.RESERVATIONS_RELEASED.ascq(), uas.take(B).ascq());
        assertNull(uas.take(A), "the nexus that unregistered is not told");
    }

    @Test
    void allRegistrantsReservationSurvivesUntilTheLastRegistrantLeaves() {
        r.register(A, 0, 1, false, false);
        r.register(B, 0, 2, false, false);
        r.reserve(A, 1, ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS);
        assertEquals(0, r.reservationKey(), "all-registrants reservations report key 0");
        r.register(A, 1, 0, false, false);
        assertEquals(ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS, r.type());
        r.register(B, 2, 0, false, false);
        assertNull(r.type());
    }

    @Test
    void preemptTakesOverTheReservationAndRemovesTheHoldersRegistration() {
        r.register(A, 0, 1, false, false);
        r.register(B, 0, 2, false, false);
        r.reserve(A, 1, ReservationType.EXCLUSIVE_ACCESS);
        List<ItNexus> gone = r.preempt(B, 2, 1, ReservationType.WRITE_EXCLUSIVE);
        assertEquals(List.of(A), gone);
        assertEquals(ReservationType.WRITE_EXCLUSIVE, r.type());
        assertEquals(2, r.reservationKey());
        assertEquals(AdditionalSense.REGISTRATIONS_PREEMPTED.ascq(), uas.take(A).ascq());
    }

    @Test
    void preemptOfAnUnknownKeyWithoutReservationIsAConflict() {
        r.register(A, 0, 1, false, false);
        assertThrows(
                Reservations.ConflictException.class,
                () -> r.preempt(A, 1, 99, ReservationType.WRITE_EXCLUSIVE));
    }

    @Test
    void clearRemovesEverythingAndTellsTheOtherRegistrants() {
        r.register(A, 0, 1, false, false);
        r.register(B, 0, 2, false, false);
        r.reserve(A, 1, ReservationType.EXCLUSIVE_ACCESS);
        r.clear(B, 2);
        assertNull(r.type());
        assertEquals(List.of(), r.registrations());
        assertEquals(AdditionalSense.RESERVATIONS_PREEMPTED.ascq(), uas.take(A).ascq());
    }

    @Test
    void spc2ReservationsConflictWithPersistentRegistrations() {
        r.register(A, 0, 1, false, false);
        assertConflict(B, AccessClass.SPC2_RESERVATION);
    }

    @Test
    void registerAndMoveHandsTheReservationToAnotherNexusAndCanUnregisterTheMover() {
        r.register(A, 0, 1, false, false);
        r.reserve(A, 1, ReservationType.WRITE_EXCLUSIVE);
        r.registerAndMove(A, 1, 7, B, true, false);
        assertTrue(r.isHolder(B));
        assertEquals(ReservationType.WRITE_EXCLUSIVE, r.type());
        assertEquals(7, r.reservationKey());
        assertEquals(List.of(new Registration(B, 7)), r.registrations());
        assertAllowed(B, AccessClass.WRITE);
        assertConflict(A, AccessClass.WRITE);
    }

    @Test
    void registerAndMoveNeedsTheHolderOfANonAllRegistrantsReservationAndANonZeroKey() {
        r.register(A, 0, 1, false, false);
        assertThrows(
                Reservations.ConflictException.class,
                () -> r.registerAndMove(A, 1, 7, B, false, false),
                "no reservation to move");
        r.reserve(A, 1, ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS);
        assertThrows(
                Reservations.ConflictException.class,
                () -> r.registerAndMove(A, 1, 7, B, false, false),
                "all-registrants reservations have no single holder");
        r.release(A, 1, ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS);
        r.reserve(A, 1, ReservationType.EXCLUSIVE_ACCESS);
        SenseException zeroKey =
                assertThrows(
                        SenseException.class, () -> r.registerAndMove(A, 1, 0, B, false, false));
        assertEquals(AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST.asc(), zeroKey.sense().asc());
        assertThrows(
                SenseException.class,
                () -> r.registerAndMove(A, 1, 7, A, false, false),
                "moving to itself");
    }

    @Test
    void withAptplRegistrationsAndTheReservationSurviveARestartInTheFile(@TempDir Path dir)
            throws Exception {
        AptplFile file = AptplFile.beside(dir.resolve("lun.img"));
        r.persistIn(file);
        r.register(A, 0, 0xABL, false, true);
        r.register(B, 0, 0xBCL, false, true);
        r.reserve(A, 0xAB, ReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY);
        assertTrue(Files.exists(dir.resolve("lun.img.pr")));

        Reservations afterRestart = new Reservations(new UnitAttentions());
        afterRestart.persistIn(file);
        assertEquals(r.registrations(), afterRestart.registrations());
        assertEquals(ReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, afterRestart.type());
        assertTrue(afterRestart.isHolder(A));
        assertEquals(r.generation(), afterRestart.generation());
        assertTrue(afterRestart.aptpl());
    }

    @Test
    void aRegisterWithoutAptplEndsPersistenceAndRemovesTheFile(@TempDir Path dir) throws Exception {
        AptplFile file = AptplFile.beside(dir.resolve("lun.img"));
        r.persistIn(file);
        r.register(A, 0, 1, false, true);
        assertTrue(Files.exists(file.path()));
        r.register(A, 1, 1, false, false);
        assertFalse(Files.exists(file.path()));
        Reservations afterRestart = new Reservations(new UnitAttentions());
        afterRestart.persistIn(file);
        assertEquals(List.of(), afterRestart.registrations());
    }

    @Test
    void aDamagedFileNamesItsLine(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("lun.img");
        Files.writeString(
                dir.resolve("lun.img.pr"), "generation 1\nregistration zz a,i,0x1 t,t,0x1\n");
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                new Reservations(new UnitAttentions())
                                        .persistIn(AptplFile.beside(image)));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
