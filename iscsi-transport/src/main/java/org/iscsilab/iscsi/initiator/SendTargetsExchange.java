package org.iscsilab.iscsi.initiator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.iscsilab.iscsi.login.Keys;
import org.iscsilab.iscsi.login.TextParameters;
import org.iscsilab.iscsi.pdu.TextRequest;
import org.iscsilab.iscsi.pdu.TextResponse;

/**
 * SendTargets in the full feature phase (RFC 7143 §13.3, appendix C) as a text exchange (§11.10,
 * §11.11): one Text Request with the key, then, while the target's answer spans Text Responses
 * (their C bit), an empty request for each next part, naming its target transfer tag; the parts
 * joined are the answer. Event loop only.
 */
final class SendTargetsExchange {
    private final InitiatorConnections connections;
    private final PendingRequests requests;
    private final CommandWindow window;
    private final ByteArrayOutputStream response = new ByteArrayOutputStream();

    SendTargetsExchange(
            InitiatorConnections connections, PendingRequests requests, CommandWindow window) {
        this.connections = connections;
        this.requests = requests;
        this.window = window;
    }

    /** Asks for {@code which}: "All", a target name, or "" for the session's target. */
    void send(Pending p, String which) {
        InitiatorConnection conn = connections.pick();
        if (conn == null) {
            p.future.completeExceptionally(new IscsiInitiatorException("connection closed"));
            return;
        }
        int itt = requests.add(conn, p);
        response.reset();
        ByteBuf text =
                Unpooled.wrappedBuffer(
                        TextParameters.encode(List.of(Map.entry(Keys.SEND_TARGETS, which))));
        window.enqueue(
                sn -> conn.writeAndFlush(TextRequest.single(itt, sn, conn.expStatSn(), text)));
    }

    /** A part of the answer: the request completes with the whole once the last part is in. */
    void onResponse(InitiatorConnection conn, TextResponse t) {
        response.writeBytes(ByteBufUtil.getBytes(t.data()));
        t.release();
        if (t.continueFlag() && !t.finalFlag()) {
            int itt = t.initiatorTaskTag();
            int ttt = t.targetTransferTag();
            window.enqueue(
                    sn ->
                            conn.writeAndFlush(
                                    TextRequest.askingForMore(itt, ttt, sn, conn.expStatSn())));
        } else {
            requests.complete(t.initiatorTaskTag(), response.toByteArray());
        }
    }
}
