package org.iscsilab.iscsi.pdu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The copies the target makes of PDUs it sent, to send them again (RFC 7143 §11.16): only the
 * fields a resend changes change.
 */
class ResentPduTest {
    private static final ByteBuf DATA = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
    private static final ByteBuf OTHER = Unpooled.wrappedBuffer(new byte[] {9});
    private static final Residual UNDER = new Residual(false, true, 7);

    /** The last Data-In of a read, GOOD status collapsed into it; window 50/60. */
    private static DataIn withStatus() {
        return DataIn.withStatus(5, 0x11, 3, 4096, 0, UNDER, 40, 50, 60, DATA);
    }

    @Test
    void aDataInSentAgainCarriesTheCurrentWindowAndNothingElseNew() {
        DataIn d = withStatus();
        DataIn again = d.withWindow(51, 61, OTHER);
        assertEquals(List.of(51, 61), List.of(again.expCmdSn(), again.maxCmdSn()));
        assertSame(OTHER, again.data());
        assertEquals(d, again.withWindow(50, 60, DATA), "nothing else changed");
    }

    @Test
    void dataOnlyDropsTheStatusAndTheDataAckRequest() {
        assertEquals(
                DataIn.data(5, 0x11, 3, 4096, true, 52, 62, OTHER),
                withStatus().dataOnly(52, 62, OTHER));
        DataIn ackAsked = DataIn.dataAskingAck(5, 0x11, 0x99, 2, 0, 50, 60, DATA);
        assertEquals(
                DataIn.data(5, 0x11, 2, 0, true, 50, 60, DATA),
                ackAsked.dataOnly(50, 60, DATA),
                "F still ends the sequence, no DataACK asked for");
        assertFalse(
                DataIn.data(5, 0x11, 1, 0, false, 50, 60, DATA).dataOnly(50, 60, DATA).finalFlag(),
                "a Data-In within a sequence stays within it");
    }

    @Test
    void aCollapsedStatusBecomesAResponseOfItsOwn() {
        ScsiResponse r = ScsiResponse.collapsedStatusOf(withStatus(), 0x77, 41, 51, 61, 4);
        assertEquals(0x77, r.snackTag());
        assertEquals(
                ScsiResponse.completed(0x11, 0, UNDER, 41, 51, 61, 4, Unpooled.EMPTY_BUFFER),
                r.sentAgain(0, 41, 51, 61, 4, Unpooled.EMPTY_BUFFER),
                "GOOD, the residual, no sense data");
    }

    @Test
    void aResponseSentAgainKeepsItsStatusAndResiduals() {
        ScsiResponse r = ScsiResponse.completed(0x11, 2, UNDER, 40, 50, 60, 3, DATA);
        ScsiResponse again = r.withWindow(51, 61, OTHER);
        assertEquals(List.of(51, 61), List.of(again.expCmdSn(), again.maxCmdSn()));
        assertSame(OTHER, again.data());
        assertEquals(r, again.withWindow(50, 60, DATA), "nothing else changed");
        ScsiResponse snacked = r.sentAgain(0x77, 45, 52, 62, 6, OTHER);
        assertEquals(0x77, snacked.snackTag());
        assertEquals(
                ScsiResponse.completed(0x11, 2, UNDER, 45, 52, 62, 6, OTHER),
                snacked.sentAgain(0, 45, 52, 62, 6, OTHER));
        assertTrue(snacked.underflow());
    }

    @Test
    void anR2tSentAgainCarriesTheCurrentStatSnAndWindow() {
        ReadyToTransfer r2t = ReadyToTransfer.soliciting(5, 0x11, 0x22, 3, 8192, 4096, 40, 50, 60);
        assertEquals(new ReadyToTransfer(5, 0x11, 0x22, 40, 50, 60, 3, 8192, 4096), r2t);
        assertEquals(
                new ReadyToTransfer(5, 0x11, 0x22, 41, 51, 61, 3, 8192, 4096),
                r2t.withSequence(41, 51, 61));
    }

    @Test
    void anAsyncMessageSentAgainCarriesTheCurrentWindow() {
        AsyncMessage a = AsyncMessage.event(AsyncMessage.CONNECTION_DROP, 2, 3, 4, 40, 50, 60);
        AsyncMessage again = a.withWindow(51, 61, OTHER);
        assertEquals(List.of(51, 61), List.of(again.expCmdSn(), again.maxCmdSn()));
        assertSame(OTHER, again.data());
        assertEquals(a, again.withWindow(50, 60, Unpooled.EMPTY_BUFFER), "nothing else changed");
    }
}
