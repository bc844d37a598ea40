package org.iscsilab.iscsi.initiator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.iscsilab.iscsi.login.SessionParameters;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;

/**
 * SCSI commands on the wire, the initiator's side (RFC 7143 §4.2.4 data transfer, §11.3 to §11.8):
 * numbers each with the next CmdSN when the window lets it go (§4.2.2.1), sends it with its
 * immediate and unsolicited data (§13.10, §13.11) on the next live connection, which it is then
 * allegiant to (§7.1.2); answers its R2Ts with Data-Out; puts its Data-In where the offsets say;
 * and completes it with its status, which at ErrorRecoveryLevel 1 and above waits unacknowledged
 * while Data-In is missing (§11.7.2). Event loop only.
 */
final class ScsiCommandExchange {
    private final InitiatorConnections connections;
    private final PendingRequests requests;
    private final CommandWindow window;
    private final ConnectionRecovery recovery;
    private final DigestFailureRecovery digestRecovery;

    /** Commands waiting for the window to let them have a CmdSN. */
    private final Set<Pending> waiting = new HashSet<>();

    ScsiCommandExchange(
            InitiatorConnections connections,
            PendingRequests requests,
            CommandWindow window,
            ConnectionRecovery recovery,
            DigestFailureRecovery digestRecovery) {
        this.connections = connections;
        this.requests = requests;
        this.window = window;
        this.recovery = recovery;
        this.digestRecovery = digestRecovery;
    }

    /**
     * A new command: it gets its ITT now, and its CmdSN and connection when the window lets it go
     * (§4.2.2.1), so it never takes a CmdSN on a connection that closed while it waited.
     */
    void submit(
            Pending p,
            long lunField,
            byte[] cdb,
            byte[] dataOut,
            int edtl,
            boolean read,
            boolean write) {
        if (!connections.anyActive() && !recovery.underway() && !recovery.enabled()) {
            // the connections are gone (their pending commands were failed already): a command
            // submitted now fails at once, for the caller to retry elsewhere
            requests.fail(p, new IscsiInitiatorException("connection closed"));
            return;
        }
        int itt = requests.nextItt();
        p.dataOut = dataOut == null ? null : Unpooled.wrappedBuffer(dataOut);
        p.dataIn = read ? new byte[edtl] : new byte[0];
        waiting.add(p);
        window.enqueue(
                sn -> {
                    waiting.remove(p);
                    send(p, itt, sn, lunField, cdb, edtl, read, write);
                });
    }

    /** The session ended: the commands waiting for the window will never get a CmdSN on it. */
    void failWaiting(Throwable why) {
        for (Pending p : List.copyOf(waiting)) {
            requests.fail(p, why);
        }
    }

    /**
     * Sends a SCSI command with its immediate and unsolicited data (RFC 7143 §11.3, §13.10, §13.11)
     * on the next live connection, which it is then allegiant to.
     */
    private void send(
            Pending p,
            int itt,
            int cmdSn,
            long lunField,
            byte[] cdb,
            int edtl,
            boolean read,
            boolean write) {
        InitiatorConnection conn = connections.pick();
        if (conn == null && (recovery.underway() || recovery.enabled() && !connections.isEmpty())) {
            // a connection is being recovered: the command keeps its CmdSN and goes after
            recovery.park(p, () -> send(p, itt, cmdSn, lunField, cdb, edtl, read, write));
            return;
        }
        if (conn == null) {
            requests.fail(p, new IscsiInitiatorException("connection closed"));
            return;
        }
        if (p.future.isDone()) {
            // given up while it waited for the window (a timeout): its CmdSN still goes out, in a
            // NOP-Out, so the target's window does not wait for it forever (RFC 7143 §4.2.2.1)
            conn.writeAndFlush(
                    new NopOut(
                            false,
                            0,
                            itt,
                            Pdu.RESERVED_TAG,
                            cmdSn,
                            conn.expStatSn(),
                            Unpooled.EMPTY_BUFFER));
            return;
        }
        SessionParameters cp = conn.params();
        ByteBuf out = p.dataOut;
        int immediate = 0;
        if (write && out != null && cp.immediateData()) {
            immediate =
                    Math.min(
                            Math.min(cp.firstBurstLength(), cp.peerMaxRecvDataSegmentLength()),
                            Math.min(edtl, out.readableBytes()));
        }
        int unsolicitedEnd =
                !write || out == null
                        ? 0
                        : cp.initialR2T()
                                ? immediate
                                : Math.min(
                                        cp.firstBurstLength(), Math.min(edtl, out.readableBytes()));
        boolean moreUnsolicited = unsolicitedEnd > immediate;
        ByteBuf imm = immediate == 0 ? Unpooled.EMPTY_BUFFER : out.retainedSlice(0, immediate);
        ScsiCommand cmd =
                ScsiCommand.simple(
                        lunField,
                        itt,
                        cdb,
                        edtl,
                        read,
                        write,
                        moreUnsolicited,
                        cmdSn,
                        conn.expStatSn(),
                        imm);
        p.conn = conn;
        p.command = cmd;
        p.immediateLength = immediate;
        p.lastActivityNanos = System.nanoTime();
        if (read && cp.errorRecoveryLevel() >= 1) {
            p.dataInSeen = new DataInProgress();
        }
        requests.put(itt, p);
        p.itt.complete(itt);
        conn.write(cmd);
        if (moreUnsolicited) {
            sendData(p, Pdu.RESERVED_TAG, immediate, unsolicitedEnd - immediate);
        }
        conn.flush();
    }

    /** An R2T (§11.8): the Data-Out it asks for goes on the connection it came on. */
    void onReadyToTransfer(InitiatorConnection conn, ReadyToTransfer r2t) {
        Pending p = requests.get(r2t.initiatorTaskTag());
        if (p != null && p.dataOut != null && p.conn == conn) {
            p.lastActivityNanos = System.nanoTime();
            sendData(
                    p,
                    r2t.targetTransferTag(),
                    r2t.bufferOffset(),
                    r2t.desiredDataTransferLength());
            conn.flush();
        }
    }

    private void sendData(Pending p, int ttt, int offset, int length) {
        InitiatorConnection conn = p.conn;
        int dataSn = 0;
        int end = offset + length;
        int max = conn.params().peerMaxRecvDataSegmentLength();
        for (int off = offset; off < end; off += max) {
            int n = Math.min(max, end - off);
            int available = Math.max(0, Math.min(n, p.dataOut.readableBytes() - off));
            ByteBuf slice =
                    available == 0
                            ? Unpooled.EMPTY_BUFFER
                            : p.dataOut.retainedSlice(off, available);
            conn.write(
                    new DataOut(
                            off + n >= end,
                            p.command.lun(),
                            p.command.initiatorTaskTag(),
                            ttt,
                            conn.expStatSn(),
                            dataSn++,
                            off,
                            slice));
        }
    }

    void onDataIn(InitiatorConnection conn, DataIn d) {
        Pending p = requests.get(d.initiatorTaskTag());
        if (p == null || p.conn != conn) {
            d.release();
            if (d.statusPresent()) {
                conn.statusReceived(d.statSn());
            }
            return;
        }
        p.lastActivityNanos = System.nanoTime();
        if (p.dataInSeen == null && d.dataSn() != p.expectedDataSn++) {
            d.release();
            requests.fail(
                    d.initiatorTaskTag(),
                    new IscsiInitiatorException("Data-In DataSN " + d.dataSn() + " out of order"));
            return;
        }
        int len = d.data().readableBytes();
        if (d.bufferOffset() + len > p.dataIn.length) {
            d.release();
            requests.fail(
                    d.initiatorTaskTag(),
                    new IscsiInitiatorException("Data-In beyond the expected transfer length"));
            return;
        }
        // by offset: a Data-In sent again, or after a gap, lands where it belongs
        d.data().getBytes(d.data().readerIndex(), p.dataIn, d.bufferOffset(), len);
        p.dataInLength = Math.max(p.dataInLength, d.bufferOffset() + len);
        d.release();
        if (p.dataInSeen != null) {
            digestRecovery.dataInArrived(conn, p, d);
        }
        if (d.statusPresent()) {
            ScsiResult result =
                    new ScsiResult(
                            d.status(),
                            new byte[0],
                            null,
                            d.overflow(),
                            d.underflow(),
                            d.residualCount());
            finishOrHold(conn, p, d.statSn(), result, d.dataSn() + 1);
        } else {
            completeHeldIfWhole(conn, p);
        }
    }

    void onResponse(InitiatorConnection conn, ScsiResponse r) {
        Pending p = requests.get(r.initiatorTaskTag());
        byte[] sense = new byte[0];
        ByteBuf d = r.data();
        if (d.readableBytes() >= 2) {
            int senseLength = d.getUnsignedShort(d.readerIndex());
            sense = new byte[Math.min(senseLength, d.readableBytes() - 2)];
            d.getBytes(d.readerIndex() + 2, sense);
        }
        r.release();
        if (p == null || p.command == null || p.conn != conn) {
            conn.statusReceived(r.statSn());
            return;
        }
        p.lastActivityNanos = System.nanoTime();
        ScsiResult result =
                new ScsiResult(
                        r.status(), sense, null, r.overflow(), r.underflow(), r.residualCount());
        // §11.4: ExpDataSN counts the R2Ts and Data-In sent for the command; for a read, the
        // Data-In (§7.9: one that implies missing Data-In is a sequence error)
        int dataIn = p.command.read() && !p.command.write() ? r.expDataSn() : 0;
        finishOrHold(conn, p, r.statSn(), result, dataIn);
    }

    /**
     * A command's status arrived, with {@code dataInCount} Data-In sent for it: it completes, or at
     * level 1 and above, while Data-In is missing, the status waits unacknowledged for it
     * (§11.7.2).
     */
    private void finishOrHold(
            InitiatorConnection conn, Pending p, int statSn, ScsiResult result, int dataInCount) {
        if (p.dataInSeen != null && p.dataInSeen.missingBelow(dataInCount)) {
            digestRecovery.askForMissingData(conn, p, dataInCount);
            if (p.heldResult == null) {
                p.heldResult = result;
                p.heldStatSn = statSn;
                p.expectedDataSn = dataInCount;
                conn.holdStatus(statSn);
            }
            conn.statusReceived(statSn);
            return;
        }
        conn.statusReceived(statSn);
        requests.complete(p.command.initiatorTaskTag(), p.withDataIn(result));
    }

    private void completeHeldIfWhole(InitiatorConnection conn, Pending p) {
        if (p.heldResult != null && !p.dataInSeen.missingBelow(p.expectedDataSn)) {
            conn.releaseStatus(p.heldStatSn);
            requests.complete(p.command.initiatorTaskTag(), p.withDataIn(p.heldResult));
        }
    }
}
