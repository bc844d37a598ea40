package org.iscsilab.core.spc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.iscsilab.core.LogicalUnits;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.ScsiTestSupport;
import org.iscsilab.core.lu.LogicalUnitIdentity;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.core.store.RamStore;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PERSISTENT RESERVE OUT REGISTER AND MOVE with an iSCSI TransportID (SPC-4 §6.16.4, SPC-5
 * §7.6.4.6).
 */
class RegisterAndMoveTest {
    private static final ItNexus A =
            new ItNexus("iqn.2026-01.org.example:a,i,0x00023d000001", "iqn.t,t,0x1");
    private static final ItNexus B =
            new ItNexus("iqn.2026-01.org.example:b,i,0x00023d000002", "iqn.t,t,0x1");
    private ScsiTargetDevice device;

    @BeforeEach
    void setUp() {
        device = new ScsiTargetDevice("iqn.t");
        device.addLogicalUnit(
                LogicalUnits.create(
                        0,
                        LogicalUnitIdentity.derive("t", 0),
                        new RamStore(1 << 20),
                        512,
                        false,
                        Runnable::run));
        for (ItNexus n : new ItNexus[] {A, B}) {
            run(n, Cdb.of(0, 0, 0, 0, 0, 0), null); // consume the power-on unit attention
        }
    }

    private ScsiOutcome run(ItNexus n, Cdb cdb, byte[] dataOut) {
        return ScsiTestSupport.run(
                device, n, 0, cdb, dataOut == null ? 255 : dataOut.length, dataOut);
    }

    private ScsiOutcome prOut(ItNexus n, int serviceAction, int type, byte[] list) {
        return run(
                n,
                Cdb.of(0x5F, serviceAction, type, 0, 0, 0, 0, list.length >> 8, list.length, 0),
                list);
    }

    private static byte[] basic(long key, long serviceActionKey) {
        return ByteBuffer.allocate(24).putLong(key).putLong(serviceActionKey).array();
    }

    /**
     * REGISTER AND MOVE parameter list with an iSCSI TransportID of format 01b naming {@code port}.
     */
    private static byte[] moveList(
            long key, long serviceActionKey, boolean unreg, int relativePort, String port) {
        byte[] name = (port + "\0").getBytes(StandardCharsets.UTF_8);
        int padded = (name.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(24 + 4 + padded);
        b.putLong(key)
                .putLong(serviceActionKey)
                .put((byte) 0)
                .put((byte) (unreg ? 0x02 : 0))
                .putShort((short) relativePort)
                .putInt(4 + padded);
        b.put((byte) 0x45).put((byte) 0).putShort((short) padded).put(name);
        return b.array();
    }

    private ByteBuffer readReservation(ItNexus n) {
        return run(n, Cdb.of(0x5E, 0x01, 0, 0, 0, 0, 0, 0, 64, 0), null).dataIn();
    }

    @Test
    void theHolderMovesTheReservationToTheInitiatorPortTheTransportIdNames() {
        assertEquals(ScsiStatus.GOOD, prOut(A, 0x00, 0, basic(0, 0xA)).status());
        assertEquals(
                ScsiStatus.GOOD, prOut(A, 0x01, 0x03, basic(0xA, 0)).status()); // EXCLUSIVE ACCESS
        // the ISID in upper case and without leading zeros names the same port
        ScsiOutcome moved =
                prOut(
                        A,
                        0x07,
                        0x03,
                        moveList(0xA, 0xB, true, 1, "iqn.2026-01.org.example:b,I,0x23D000002"));
        assertEquals(ScsiStatus.GOOD, moved.status(), () -> String.valueOf(moved.sense()));
        ByteBuffer r = readReservation(B);
        assertEquals(16, r.getInt(4), "a reservation exists");
        assertEquals(0xB, r.getLong(8), "held with the destination's key");
        assertEquals(
                ScsiStatus.RESERVATION_CONFLICT,
                run(A, Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), null).status(),
                "the mover, unregistered, is locked out of the exclusive access reservation");
        assertEquals(
                ScsiStatus.GOOD, run(B, Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), null).status());
    }

    @Test
    void anotherTargetPortOrAForeignProtocolIsAnInvalidFieldInTheParameterList() {
        prOut(A, 0x00, 0, basic(0, 0xA));
        prOut(A, 0x01, 0x01, basic(0xA, 0));
        ScsiOutcome port = prOut(A, 0x07, 0x01, moveList(0xA, 0xB, false, 2, B.initiatorPort()));
        assertEquals(SenseKey.ILLEGAL_REQUEST, port.sense().key());
        assertEquals(AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST.asc(), port.sense().asc());
        assertEquals(18, port.sense().fieldPointer().byteOffset());
        byte[] fibreChannel = moveList(0xA, 0xB, false, 1, B.initiatorPort());
        fibreChannel[24] = 0x00;
        ScsiOutcome protocol = prOut(A, 0x07, 0x01, fibreChannel);
        assertEquals(24, protocol.sense().fieldPointer().byteOffset());
        assertTrue(readReservation(A).getInt(4) == 16, "the reservation stayed with A");
    }

    @Test
    void aNexusThatDoesNotHoldTheReservationGetsAReservationConflict() {
        prOut(A, 0x00, 0, basic(0, 0xA));
        prOut(B, 0x00, 0, basic(0, 0xB));
        prOut(A, 0x01, 0x01, basic(0xA, 0));
        assertEquals(
                ScsiStatus.RESERVATION_CONFLICT,
                prOut(B, 0x07, 0x01, moveList(0xB, 0xC, false, 1, A.initiatorPort())).status());
    }
}
