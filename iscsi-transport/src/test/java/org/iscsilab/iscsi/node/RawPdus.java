package org.iscsilab.iscsi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Map;
import java.util.stream.Collectors;
import org.iscsilab.iscsi.login.TextParameters;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.NopIn;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;

/** What the raw-PDU tests say to the target and check in its answers, written once. */
final class RawPdus {
    private static final byte[] TEST_UNIT_READY = new byte[6];

    private RawPdus() {}

    static Map<String, String> keys(LoginResponse r) throws Exception {
        return TextParameters.decode(ByteBufUtil.getBytes(r.data())).stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    static int status(LoginResponse r) {
        return (r.statusClass() << 8) | r.statusDetail();
    }

    /** WRITE(10) of LBA 9, one block, no immediate data: the target asks for it with an R2T. */
    static ScsiCommand writeOneBlockWithoutData(int itt, int cmdSn) {
        byte[] write10 = {0x2a, 0, 0, 0, 0, 9, 0, 0, 1, 0};
        return ScsiCommand.simple(
                0, itt, write10, 512, false, true, false, cmdSn, 0, Unpooled.EMPTY_BUFFER);
    }

    static ScsiCommand testUnitReady(int itt, int cmdSn) {
        return ScsiCommand.simple(
                0, itt, TEST_UNIT_READY, 0, false, false, false, cmdSn, 0, Unpooled.EMPTY_BUFFER);
    }

    /** The next PDU, skipping NOP-In pings. */
    static Pdu next(RawConnection c) throws Exception {
        while (true) {
            Pdu p = c.receive();
            if (!(p instanceof NopIn n) || n.initiatorTaskTag() != Pdu.RESERVED_TAG) {
                return p;
            }
        }
    }

    /** Fixed-format sense after the two-byte SenseLength (RFC 7143 §11.4.7.1, SPC-5 §4.4.3). */
    static void assertUnitAttention(ScsiResponse r, int asc, int ascq) {
        byte[] segment = ByteBufUtil.getBytes(r.data());
        assertEquals(0x06, segment[2 + 2] & 0x0F, "sense key UNIT ATTENTION");
        assertEquals(asc, segment[2 + 12] & 0xFF, "ASC");
        assertEquals(ascq, segment[2 + 13] & 0xFF, "ASCQ");
    }

    static void assertSessionAnswers(RawConnection c, int itt) throws Exception {
        assertNothingBeforeAPing(c, itt, "the session still answers");
    }

    /**
     * Pings the target with an immediate NOP-Out and asserts that the next PDU on {@code c} is its
     * answer. The target handles a connection's PDUs in order and answers the ping on the spot, so
     * whatever it would have sent at once for the PDUs before the ping comes before this answer: no
     * waiting for a silence that a slow machine may give anyway.
     */
    static void assertNothingBeforeAPing(RawConnection c, int itt, String what) throws Exception {
        c.send(new NopOut(true, 0, itt, Pdu.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER));
        assertEquals(itt, next(c).initiatorTaskTag(), what);
    }

    /** Consumes the POWER ON unit attention of a fresh I_T nexus with CmdSN {@code cmdSn}. */
    static void clearUnitAttention(RawConnection c, int cmdSn) throws Exception {
        c.send(testUnitReady(0x7F, cmdSn));
        assertInstanceOf(ScsiResponse.class, next(c));
    }
}
