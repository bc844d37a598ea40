package org.iscsilab.iscsi.initiator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.iscsilab.iscsi.codec.DataDigestError;
import org.iscsilab.iscsi.pdu.Bhs;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.Opcode;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.SerialNumbers;
import org.iscsilab.iscsi.pdu.SnackRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initiator's recovery at ErrorRecoveryLevel 1, which RFC 7143 §7.1.5 calls digest failure
 * recovery: the within-command and within-connection classes (§7.1.4.1, §7.1.4.2). Data-In missing
 * below one that arrived is asked for again with a Data SNACK, a gap in a connection's StatSN with
 * a Status SNACK (§11.16.1), a PDU whose data digest failed by its DataSN or StatSN (§7.8); a
 * DataACK answers the A bit (§11.7.2); and a command the target rejected for a digest error, or
 * quiet for too long, is retried: sent again as it was (§7.2.1). Event loop only.
 */
final class DigestFailureRecovery {
    private static final Logger log = LoggerFactory.getLogger(DigestFailureRecovery.class);

    /** How long a command may go without a PDU before it is retried. */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);

    private final InitiatorSession session;
    private final PendingRequests requests;
    private final CommandWindow window;
    private ScheduledFuture<?> retryWatch;

    DigestFailureRecovery(
            InitiatorSession session, PendingRequests requests, CommandWindow window) {
        this.session = session;
        this.requests = requests;
        this.window = window;
    }

    /** The session is at level 1 or above: quiet commands are looked for every half second. */
    void start(EventLoop loop) {
        retryWatch =
                loop.scheduleAtFixedRate(this::retryQuietCommands, 500, 500, TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (retryWatch != null) {
            retryWatch.cancel(false);
        }
    }

    /**
     * Data-In {@code d} of {@code p} arrived: the Data-In missing below it is asked for, and a
     * DataACK sent when the target asks for one (§11.7.2) and nothing is missing up to it.
     */
    void dataInArrived(InitiatorConnection conn, Pending p, DataIn d) {
        p.dataInSeen.arrive(d.dataSn());
        askForMissingData(conn, p, d.dataSn());
        if (d.acknowledge() && !p.dataInSeen.missingBelow(d.dataSn() + 1)) {
            // BegRun is the next DataSN expected
            sendSnack(
                    conn,
                    SnackRequest.DATA_ACK,
                    p,
                    d.targetTransferTag(),
                    p.dataInSeen.contiguous(),
                    0);
        }
    }

    /** Asks with a Data SNACK for the Data-In of {@code p} missing below {@code below}. */
    void askForMissingData(InitiatorConnection conn, Pending p, int below) {
        int[] run = p.dataInSeen.toAskBelow(below);
        if (run != null) {
            log.warn(
                    "ITT 0x{}: Data-In DataSN {} to {} missing; asking again (SNACK)",
                    Integer.toHexString(p.command.initiatorTaskTag()),
                    run[0],
                    run[0] + run[1] - 1);
            sendSnack(conn, SnackRequest.DATA_R2T, p, Pdu.RESERVED_TAG, run[0], run[1]);
        }
    }

    /** A gap in a connection's StatSN: asks for the missing responses (§11.16.1 Status SNACK). */
    void askForStatus(InitiatorConnection conn, int from, int count) {
        log.warn(
                "CID {}: StatSN {} to {} missing; asking again (Status SNACK)",
                conn.cid(),
                Integer.toUnsignedString(from),
                Integer.toUnsignedString(from + count - 1));
        sendSnack(conn, SnackRequest.STATUS, null, Pdu.RESERVED_TAG, from, count);
    }

    /**
     * A PDU from the target whose data digest failed (§7.8): the PDU is gone; a Data-In is asked
     * for again by its DataSN, a numbered response by its StatSN.
     */
    void onDataDigestError(InitiatorConnection conn, DataDigestError err) {
        ByteBuf h = err.header();
        int opcode = err.opcodeCode();
        log.warn(
                "CID {}: data digest error on opcode 0x{} ITT 0x{}; asking for it again",
                conn.cid(),
                Integer.toHexString(opcode),
                Integer.toHexString(err.initiatorTaskTag()));
        if (opcode == Opcode.DATA_IN.code()) {
            Pending p = requests.get(err.initiatorTaskTag());
            if (p != null && p.command != null) {
                sendSnack(conn, SnackRequest.DATA_R2T, p, Pdu.RESERVED_TAG, Bhs.dataSn(h), 1);
            }
        } else if (opcode != Opcode.READY_TO_TRANSFER.code()) {
            sendSnack(
                    conn, SnackRequest.STATUS, null, Pdu.RESERVED_TAG, Bhs.commandOrStatusSn(h), 1);
        }
    }

    /**
     * A Reject (§11.17) with {@code reason} of the request {@code rejectedItt}, at level 1 and
     * above: a data digest error on a command is made up by sending the command again (§7.2.1), one
     * on Data-Out by the target's recovery R2T; a SNACK refused as a protocol error only asked for
     * what needs no asking. Returns whether the request goes on; otherwise it fails, as a SNACK
     * refused for data the target let go does.
     */
    boolean recoversFrom(int reason, int rejectedOpcode, int rejectedItt) {
        if (reason == Reject.DATA_DIGEST_ERROR) {
            Pending p = requests.get(rejectedItt);
            if (rejectedOpcode == Opcode.SCSI_COMMAND.code() && p != null && p.command != null) {
                retry(p);
            }
            return true;
        }
        return rejectedOpcode == Opcode.SNACK_REQUEST.code() && reason != Reject.SNACK_REJECT;
    }

    /** Sends a command again, as it was (§7.2.1), on the connection it is allegiant to. */
    void retry(Pending p) {
        ByteBuf imm =
                p.immediateLength == 0
                        ? Unpooled.EMPTY_BUFFER
                        : p.dataOut.retainedSlice(0, p.immediateLength);
        p.conn.writeAndFlush(p.command.retry(p.conn.expStatSn(), imm));
    }

    private void sendSnack(
            InitiatorConnection conn, int type, Pending p, int ttt, int begRun, int runLength) {
        conn.writeAndFlush(
                new SnackRequest(
                        type,
                        p == null ? 0 : p.command.lun(),
                        p == null || type == SnackRequest.DATA_ACK
                                ? Pdu.RESERVED_TAG
                                : p.command.initiatorTaskTag(),
                        ttt,
                        conn.expStatSn(),
                        begRun,
                        runLength));
    }

    /**
     * Every half second: a command quiet for {@link #QUIET_NANOS} is sent again with the same ITT
     * and CmdSN (§7.2.1 retry: the target ignores it while it runs, answers again if it finished,
     * runs it if it never arrived), and its missing Data-In asked for again.
     */
    private void retryQuietCommands() {
        long now = System.nanoTime();
        Set<InitiatorConnection> ping = new HashSet<>();
        for (Pending p : requests.snapshot()) {
            if (p.command == null
                    || p.future.isDone()
                    || !p.conn.active()
                    || now - p.lastActivityNanos < QUIET_NANOS) {
                continue;
            }
            p.lastActivityNanos = now;
            if (p.dataInSeen != null && p.dataInSeen.contiguous() > 0) {
                p.dataInSeen.askAgain();
                sendSnack(
                        p.conn,
                        SnackRequest.DATA_R2T,
                        p,
                        Pdu.RESERVED_TAG,
                        p.dataInSeen.contiguous(),
                        0);
            } else if (!SerialNumbers.lessThan(p.command.cmdSn(), window.expCmdSn())) {
                // the target has not counted it (ExpCmdSN is not past it): it may be lost
                log.warn(
                        "ITT 0x{} CmdSN {}: not acknowledged for {} ms; sending it again",
                        Integer.toHexString(p.command.initiatorTaskTag()),
                        Integer.toUnsignedString(p.command.cmdSn()),
                        TimeUnit.NANOSECONDS.toMillis(QUIET_NANOS));
                retry(p);
            } else {
                // it arrived and runs, or its status was lost with nothing after it to show the
                // gap: a NOP-In's StatSN will show it (§11.19)
                ping.add(p.conn);
            }
        }
        for (InitiatorConnection c : ping) {
            session.ping(c, Unpooled.EMPTY_BUFFER, new CompletableFuture<>());
        }
    }
}
