package org.iscsilab.iscsi.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.Negotiator;
import org.iscsilab.iscsi.login.TextParameters;
import org.iscsilab.iscsi.pdu.Pdu;
import org.iscsilab.iscsi.pdu.TextRequest;
import org.iscsilab.iscsi.pdu.TextResponse;

/**
 * Text requests in the full feature phase (RFC 7143 §11.10): SendTargets discovery (§13.3, appendix
 * C), requests spanning PDUs (C bit) and responses longer than the initiator's
 * MaxRecvDataSegmentLength, continued by TTT.
 */
final class TextExchange {
    record Reply(boolean finalFlag, boolean continueFlag, int targetTransferTag, ByteBuf data) {}

    private final TargetPortal portal;
    private final IscsiTarget sessionTarget;
    private final ByteArrayOutputStream request = new ByteArrayOutputStream();
    private byte[] pendingResponse;
    private int pendingOffset;
    private int pendingTtt = Pdu.RESERVED_TAG;

    private final Predicate<IscsiTarget> visible;
    private final CommandSequencer sequencer;

    TextExchange(
            TargetPortal portal,
            IscsiTarget sessionTarget,
            Predicate<IscsiTarget> visible,
            CommandSequencer sequencer) {
        this.portal = portal;
        this.sessionTarget = sessionTarget;
        this.visible = visible;
        this.sequencer = sequencer;
    }

    /** Answers a Text Request on the connection it came on (RFC 7143 §11.11 Text Response). */
    void answer(TargetConnection conn, TextRequest t) {
        Reply r =
                handle(
                        t,
                        conn.params().peerMaxRecvDataSegmentLength(),
                        conn::nextTargetTransferTag);
        conn.sendAndFlush(
                new TextResponse(
                        r.finalFlag(),
                        r.continueFlag(),
                        t.lun(),
                        t.initiatorTaskTag(),
                        r.targetTransferTag(),
                        conn.nextStatSn(),
                        sequencer.expCmdSn(),
                        sequencer.maxCmdSn(),
                        r.data()));
    }

    private Reply handle(TextRequest t, int maxSegment, IntSupplier ttts) {
        try {
            if (t.targetTransferTag() != Pdu.RESERVED_TAG && t.targetTransferTag() == pendingTtt) {
                return nextChunk(maxSegment, ttts);
            }
            pendingResponse = null;
            pendingTtt = Pdu.RESERVED_TAG;
            request.writeBytes(ByteBufUtil.getBytes(t.data()));
            if (t.continueFlag()) {
                return new Reply(false, false, ttts.getAsInt(), Unpooled.EMPTY_BUFFER);
            }
            byte[] text = request.toByteArray();
            request.reset();
            List<Map.Entry<String, String>> answers = new ArrayList<>();
            try {
                for (Map.Entry<String, String> p : TextParameters.decode(text)) {
                    if (p.getKey().equals(Keys.SEND_TARGETS)) {
                        answers.addAll(sendTargets(p.getValue()));
                    } else {
                        // no renegotiation in the full feature phase yet: known keys are refused
                        answers.add(
                                Map.entry(
                                        p.getKey(),
                                        Keys.get(p.getKey()) == null
                                                ? Negotiator.NOT_UNDERSTOOD
                                                : Negotiator.REJECT));
                    }
                }
            } catch (TextParameters.TextFormatException e) {
                answers.clear();
            }
            pendingResponse = TextParameters.encode(answers);
            pendingOffset = 0;
            return nextChunk(maxSegment, ttts);
        } finally {
            t.release();
        }
    }

    private Reply nextChunk(int maxSegment, IntSupplier ttts) {
        int remaining = pendingResponse.length - pendingOffset;
        int n = Math.min(remaining, maxSegment);
        ByteBuf data = Unpooled.wrappedBuffer(pendingResponse, pendingOffset, n);
        pendingOffset += n;
        if (pendingOffset >= pendingResponse.length) {
            pendingResponse = null;
            pendingTtt = Pdu.RESERVED_TAG;
            return new Reply(true, false, Pdu.RESERVED_TAG, data);
        }
        pendingTtt = ttts.getAsInt();
        return new Reply(false, true, pendingTtt, data);
    }

    /** RFC 7143 §13.3: All, one named target, or (empty) the session's own target. */
    private List<Map.Entry<String, String>> sendTargets(String which) {
        List<IscsiTarget> listed = new ArrayList<>();
        if (which.equals("All")) {
            portal.targets().stream().filter(visible).forEach(listed::add);
        } else if (which.isEmpty()) {
            if (sessionTarget != null) {
                listed.add(sessionTarget);
            }
        } else {
            IscsiTarget t = portal.target(which);
            if (t != null && visible.test(t)) {
                listed.add(t);
            }
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (IscsiTarget t : listed) {
            out.add(Map.entry(Keys.TARGET_NAME, t.name()));
            for (String address : portal.targetAddresses()) {
                out.add(Map.entry(Keys.TARGET_ADDRESS, address));
            }
        }
        return out;
    }
}
