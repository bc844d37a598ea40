package org.iscsilab.iscsi.node;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.iscsilab.iscsi.pdu.AsyncMessage;
import org.iscsilab.iscsi.pdu.DataIn;
import org.iscsilab.iscsi.pdu.DataOut;
import org.iscsilab.iscsi.pdu.LogoutRequest;
import org.iscsilab.iscsi.pdu.LogoutResponse;
import org.iscsilab.iscsi.pdu.NopIn;
import org.iscsilab.iscsi.pdu.NopOut;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.ReadyToTransfer;
import org.iscsilab.iscsi.pdu.Reject;
import org.iscsilab.iscsi.pdu.ScsiCommand;
import org.iscsilab.iscsi.pdu.ScsiResponse;
import org.iscsilab.iscsi.pdu.SerialNumbers;
import org.iscsilab.iscsi.pdu.SnackRequest;
import org.iscsilab.iscsi.pdu.TaskManagementRequest;
import org.iscsilab.iscsi.pdu.TaskManagementResponse;
import org.iscsilab.iscsi.pdu.TextRequest;
import org.iscsilab.iscsi.pdu.TextResponse;

/**
 * What one connection keeps of what it sent, at ErrorRecoveryLevel 1 and above, to send it again
 * when the initiator asks (RFC 7143 §11.16 SNACK) or when its task moves to another connection
 * (§7.2.2): every numbered response until ExpStatSN acknowledges it (§4.2.2.2), a task's Data-In
 * until its status is acknowledged or a DataACK covers it (§11.16.2), and a task's R2Ts until its
 * status is acknowledged. The payload kept is bounded: past {@link #budget} bytes the oldest tasks'
 * Data-In payloads are let go, and a SNACK for them is then refused. Runs on the session's event
 * loop.
 */
final class RetransmissionBuffer {
    /** Why a request to send something again cannot be met. */
    enum Refusal {
        /** Never sent, or already acknowledged: RFC 7143 §11.16, Reject "protocol error". */
        NOT_HELD,
        /** Sent, but its data was let go within the budget: Reject "SNACK reject" (§11.17.1). */
        DISCARDED
    }

    /** What was sent for one task. */
    static final class SentTask {
        final int itt;

        /** Data-In by DataSN; null where acknowledged by a DataACK or let go. */
        final List<DataIn> dataIn = new ArrayList<>();

        /** R2Ts by R2TSN. */
        final List<ReadyToTransfer> r2ts = new ArrayList<>();

        /** The status PDU (a SCSI Response, or the Data-In that carried the status), or null. */
        Pdu status;

        /** Data-In below this DataSN are acknowledged (§11.16.2 DataACK). */
        int acknowledgedDataSn;

        /** Some Data-In payload was let go within the budget. */
        boolean discarded;

        SentTask(int itt) {
            this.itt = itt;
        }

        /** The DataSN the next Data-In would have. */
        int dataSent() {
            return dataIn.size();
        }
    }

    /** A numbered response, in StatSN order, with the task it ends (ITT) or none. */
    private record Numbered(int statSn, int itt, Pdu pdu) {}

    private final long budget;
    private long bytes;
    private final IntObjectMap<SentTask> tasks = new IntObjectHashMap<>();

    /** Tasks by the target transfer tag of a Data-In that asked for a DataACK (the A bit). */
    private final IntObjectMap<SentTask> byAckTag = new IntObjectHashMap<>();

    private final ArrayDeque<Numbered> numbered = new ArrayDeque<>();
    private final ArrayDeque<SentTask> byAge = new ArrayDeque<>();
    private boolean acknowledgedAny;
    private int expStatSn;

    RetransmissionBuffer(long budget) {
        this.budget = budget;
    }

    /** Keeps {@code pdu}, just sent on the connection; takes a reference to its data. */
    void sent(Pdu pdu) {
        if (pdu instanceof DataIn d) {
            SentTask t = task(d.initiatorTaskTag());
            if (d.dataSn() != t.dataIn.size()) {
                return; // a Data-In sent again: the first one is kept
            }
            d.data().retain();
            t.dataIn.add(d);
            bytes += d.data().readableBytes();
            if (d.acknowledge()) {
                byAckTag.put(d.targetTransferTag(), t);
            }
            if (d.statusPresent()) {
                t.status = d;
                number(d.statSn(), t.itt, null);
            }
            letGoBeyondBudget();
        } else if (pdu instanceof ReadyToTransfer r) {
            SentTask t = task(r.initiatorTaskTag());
            if (r.r2tSn() == t.r2ts.size()) {
                t.r2ts.add(r);
            }
        } else if (pdu instanceof ScsiResponse r) {
            SentTask t = task(r.initiatorTaskTag());
            r.data().retain();
            boolean again = t.status != null && statSnOf(t) == r.statSn();
            if (t.status instanceof ScsiResponse old) {
                old.data().release();
            }
            t.status = r;
            if (!again) {
                number(r.statSn(), t.itt, null);
            }
        } else {
            int statSn = statSnOf(pdu);
            if (statSn != NONE && isNew(statSn)) {
                pdu.data().retain();
                number(statSn, Pdu.RESERVED_TAG, pdu);
            }
        }
    }

    /** A StatSN not kept yet: above the last one (a response sent again keeps its StatSN). */
    private boolean isNew(int statSn) {
        return numbered.isEmpty() || SerialNumbers.lessThan(numbered.peekLast().statSn(), statSn);
    }

    private void number(int statSn, int itt, Pdu pdu) {
        if (isNew(statSn)) {
            numbered.add(new Numbered(statSn, itt, pdu));
        }
    }

    private static final int NONE = Integer.MIN_VALUE;

    /** The StatSN of a numbered response other than a task's, or {@link #NONE}. */
    private static int statSnOf(Pdu pdu) {
        if (pdu instanceof NopIn n) {
            // a NOP-In answering a NOP-Out takes a StatSN; a target's ping only shows it (§11.19)
            return n.initiatorTaskTag() == Pdu.RESERVED_TAG ? NONE : n.statSn();
        }
        if (pdu instanceof TaskManagementResponse t) {
            return t.statSn();
        }
        if (pdu instanceof TextResponse t) {
            return t.statSn();
        }
        if (pdu instanceof Reject r) {
            return r.statSn();
        }
        if (pdu instanceof AsyncMessage a) {
            return a.statSn();
        }
        if (pdu instanceof LogoutResponse l) {
            return l.statSn();
        }
        return NONE;
    }

    private SentTask task(int itt) {
        SentTask t = tasks.get(itt);
        if (t == null) {
            t = new SentTask(itt);
            tasks.put(itt, t);
            byAge.add(t);
        }
        return t;
    }

    /** The record of a task, or null. */
    SentTask sentTask(int itt) {
        return tasks.get(itt);
    }

    /**
     * An initiator PDU arrived: the ExpStatSN it carries, if any, acknowledges what was sent before
     * it (RFC 7143 §4.2.2.2).
     */
    void acknowledgedBy(Pdu pdu) {
        long expStatSn = expStatSnOf(pdu);
        if (expStatSn >= 0) {
            acknowledge((int) expStatSn);
        }
    }

    /** The ExpStatSN an initiator PDU carries, unsigned; -1 for none. */
    private static long expStatSnOf(Pdu pdu) {
        int e;
        if (pdu instanceof ScsiCommand c) {
            e = c.expStatSn();
        } else if (pdu instanceof DataOut d) {
            e = d.expStatSn();
        } else if (pdu instanceof NopOut n) {
            e = n.expStatSn();
        } else if (pdu instanceof SnackRequest s) {
            e = s.expStatSn();
        } else if (pdu instanceof TaskManagementRequest t) {
            e = t.expStatSn();
        } else if (pdu instanceof TextRequest t) {
            e = t.expStatSn();
        } else if (pdu instanceof LogoutRequest l) {
            e = l.expStatSn();
        } else {
            return -1;
        }
        return Integer.toUnsignedLong(e);
    }

    /**
     * ExpStatSN from an initiator PDU: the responses below it, and the tasks they ended, are
     * acknowledged and let go (RFC 7143 §4.2.2.2; §11.7.2: the status acknowledges the Data-In).
     */
    void acknowledge(int expStatSn) {
        if (acknowledgedAny && !SerialNumbers.lessThan(this.expStatSn, expStatSn)) {
            return;
        }
        acknowledgedAny = true;
        this.expStatSn = expStatSn;
        while (!numbered.isEmpty() && SerialNumbers.lessThan(numbered.peek().statSn(), expStatSn)) {
            Numbered n = numbered.poll();
            if (n.pdu() != null) {
                n.pdu().data().release();
            } else {
                SentTask t = tasks.get(n.itt());
                if (t != null && t.status != null && statSnOf(t) == n.statSn()) {
                    forget(t);
                }
            }
        }
    }

    private static int statSnOf(SentTask t) {
        return t.status instanceof DataIn d ? d.statSn() : ((ScsiResponse) t.status).statSn();
    }

    /** A DataACK SNACK (§11.16.2): the Data-In below {@code begRun} arrived. */
    boolean dataAck(int ackTag, int begRun) {
        SentTask t = byAckTag.get(ackTag);
        if (t == null
                || SerialNumbers.lessThan(begRun, t.acknowledgedDataSn)
                || begRun > t.dataSent()) {
            return false;
        }
        for (int sn = t.acknowledgedDataSn; sn < begRun; sn++) {
            DataIn d = t.dataIn.get(sn);
            if (d != null && d != t.status) {
                bytes -= d.data().readableBytes();
                d.data().release();
                t.dataIn.set(sn, null);
            }
        }
        t.acknowledgedDataSn = begRun;
        return true;
    }

    /**
     * The Data-In with DataSN from {@code begRun}, {@code runLength} of them (0: all sent since),
     * as first sent (§11.16.1); their data is the caller's to send.
     */
    Object dataIn(int itt, int begRun, int runLength) {
        SentTask t = tasks.get(itt);
        if (t == null
                || begRun < t.acknowledgedDataSn
                || begRun >= t.dataSent()
                || runLength != 0 && begRun + (long) runLength > t.dataSent()) {
            return Refusal.NOT_HELD;
        }
        int end = runLength == 0 ? t.dataSent() : begRun + runLength;
        List<DataIn> out = new ArrayList<>();
        for (int sn = begRun; sn < end; sn++) {
            DataIn d = t.dataIn.get(sn);
            if (d == null) {
                return Refusal.DISCARDED;
            }
            out.add(d);
        }
        return out;
    }

    /** The R2Ts with R2TSN from {@code begRun}, {@code runLength} of them (0: all since). */
    Object r2ts(int itt, int begRun, int runLength) {
        SentTask t = tasks.get(itt);
        if (t == null
                || begRun < 0
                || begRun >= t.r2ts.size()
                || runLength != 0 && begRun + (long) runLength > t.r2ts.size()) {
            return Refusal.NOT_HELD;
        }
        int end = runLength == 0 ? t.r2ts.size() : begRun + runLength;
        return List.copyOf(t.r2ts.subList(begRun, end));
    }

    /**
     * The numbered responses with StatSN from {@code begRun}, {@code runLength} of them (0: all
     * sent since; BegRun 0 as well: all not yet acknowledged), §11.16.1.
     */
    Object responses(int begRun, int runLength) {
        if (numbered.isEmpty()) {
            return Refusal.NOT_HELD;
        }
        int first = begRun == 0 && runLength == 0 ? numbered.peek().statSn() : begRun;
        List<Pdu> out = new ArrayList<>();
        int want = runLength;
        int next = first;
        for (Numbered n : numbered) {
            if (SerialNumbers.lessThan(n.statSn(), next)) {
                continue;
            }
            if (n.statSn() != next) {
                return Refusal.NOT_HELD;
            }
            Pdu p = n.pdu() != null ? n.pdu() : statusOf(n.itt(), n.statSn());
            if (p == null) {
                return Refusal.NOT_HELD;
            }
            out.add(p);
            next++;
            if (runLength != 0 && --want == 0) {
                break;
            }
        }
        if (out.isEmpty() || runLength != 0 && want != 0) {
            return Refusal.NOT_HELD;
        }
        return out;
    }

    private Pdu statusOf(int itt, int statSn) {
        SentTask t = tasks.get(itt);
        return t != null && t.status != null && statSnOf(t) == statSn ? t.status : null;
    }

    /**
     * Takes a task's record out of this buffer, with the references it holds, for the connection
     * the task is reassigned to (§7.2.2); null when nothing of it is kept here.
     */
    SentTask take(int itt) {
        SentTask t = tasks.remove(itt);
        if (t == null) {
            return null;
        }
        byAge.remove(t);
        byAckTag.values().removeIf(x -> x == t);
        for (Iterator<Numbered> i = numbered.iterator(); i.hasNext(); ) {
            if (i.next().itt() == itt) {
                i.remove();
            }
        }
        for (DataIn d : t.dataIn) {
            if (d != null) {
                bytes -= d.data().readableBytes();
            }
        }
        return t;
    }

    /**
     * An R-Data SNACK (§11.16.3): the Data-In not yet acknowledged, to go again as data only, with
     * the status to follow in a SCSI Response of its own; the record keeps these copies. A {@link
     * Refusal} when the task's status was not sent or some of that data was let go.
     */
    Object unacknowledgedDataIn(int itt) {
        SentTask t = tasks.get(itt);
        if (t == null || t.status == null) {
            return Refusal.NOT_HELD;
        }
        List<DataIn> out = new ArrayList<>();
        for (int sn = t.acknowledgedDataSn; sn < t.dataSent(); sn++) {
            DataIn d = t.dataIn.get(sn);
            if (d == null) {
                return Refusal.DISCARDED;
            }
            if (d.statusPresent()) {
                // the status now goes in the SCSI Response that carries the SNACK Tag
                DataIn dataOnly = d.dataOnly(d.expCmdSn(), d.maxCmdSn(), d.data());
                t.dataIn.set(sn, dataOnly);
                d = dataOnly;
            }
            out.add(d);
        }
        return out;
    }

    /** Lets go of everything kept (the connection is gone and nothing moves elsewhere). */
    void releaseAll() {
        for (SentTask t : List.copyOf(byAge)) {
            forget(t);
        }
        for (Numbered n : numbered) {
            if (n.pdu() != null) {
                n.pdu().data().release();
            }
        }
        numbered.clear();
    }

    /** Bytes of Data-In payload kept now. */
    long bytes() {
        return bytes;
    }

    private void forget(SentTask t) {
        tasks.remove(t.itt);
        byAge.remove(t);
        byAckTag.values().removeIf(x -> x == t);
        release(t);
    }

    /** Releases what a task record holds. */
    void release(SentTask t) {
        for (DataIn d : t.dataIn) {
            if (d != null) {
                bytes -= d.data().readableBytes();
                d.data().release();
            }
        }
        t.dataIn.clear();
        if (t.status instanceof ScsiResponse r) {
            r.data().release();
        }
        t.status = null;
    }

    /** Past the budget, the oldest tasks' Data-In payloads go (not their status). */
    private void letGoBeyondBudget() {
        Iterator<SentTask> oldest = byAge.iterator();
        while (bytes > budget && oldest.hasNext()) {
            SentTask t = oldest.next();
            for (int sn = 0; sn < t.dataIn.size(); sn++) {
                DataIn d = t.dataIn.get(sn);
                if (d != null && d != t.status) {
                    bytes -= d.data().readableBytes();
                    d.data().release();
                    t.dataIn.set(sn, null);
                    t.discarded = true;
                }
            }
        }
    }
}
