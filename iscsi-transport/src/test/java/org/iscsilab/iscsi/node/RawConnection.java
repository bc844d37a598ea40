package org.iscsilab.iscsi.node;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.iscsilab.iscsi.codec.DigestSettings;
import org.iscsilab.iscsi.codec.PduDecoder;
import org.iscsilab.iscsi.codec.Wire;
import org.iscsilab.iscsi.pdu.LoginRequest;
import org.iscsilab.iscsi.pdu.LoginResponse;
import org.iscsilab.iscsi.pdu.Pdu;

/** A hand-driven TCP connection for tests that must send what no well-behaved initiator would. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel decoder;
    final DigestSettings digests = new DigestSettings(1 << 24);

    RawConnection(InetSocketAddress address) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        decoder = new EmbeddedChannel(new PduDecoder(digests));
    }

    /** How long a read waits before {@link java.net.SocketTimeoutException}. */
    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    void send(Pdu pdu) throws IOException {
        out.write(Wire.of(pdu, digests.headerDigest(), digests.dataDigest()));
        out.flush();
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next PDU from the target, or null when the target closed the connection. */
    Pdu receive() throws IOException {
        while (true) {
            Pdu p = decoder.readInbound();
            if (p != null) {
                return p;
            }
            byte[] buf = new byte[65536];
            int n = in.read(buf);
            if (n < 0) {
                return null;
            }
            decoder.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
        }
    }

    /** True when the target closes the connection within the socket timeout. */
    boolean closedByPeer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by peer
        }
    }

    /**
     * Logs in to a normal session with no digests, in one Login Request straight to full feature
     * phase.
     */
    LoginResponse loginNormal(String initiator, String target, long isid) throws IOException {
        return login(initiator, target, isid, 0, 1, 0, "");
    }

    /**
     * One Login Request straight to the full feature phase, no digests: a leading login with TSIH
     * 0, or with a session's TSIH a connection that joins it; {@code keys} are more "key=value\0"
     * pairs.
     */
    LoginResponse login(
            String initiator, String target, long isid, int tsih, int cid, int cmdSn, String keys)
            throws IOException {
        return login(initiator, target, isid, tsih, cid, cmdSn, keys, false, false);
    }

    /**
     * Like {@link #login(String, String, long, int, int, int, String)}, asking for CRC32C header
     * and/or data digests, which this side then uses from the next PDU on (RFC 7143 §13.1).
     */
    LoginResponse login(
            String initiator,
            String target,
            long isid,
            int tsih,
            int cid,
            int cmdSn,
            String keys,
            boolean headerDigest,
            boolean dataDigest)
            throws IOException {
        String text =
                (initiator == null ? "" : "InitiatorName=" + initiator + "\0")
                        + (target == null ? "" : "TargetName=" + target + "\0")
                        + "SessionType=Normal\0HeaderDigest="
                        + (headerDigest ? "CRC32C" : "None")
                        + "\0DataDigest="
                        + (dataDigest ? "CRC32C" : "None")
                        + "\0MaxRecvDataSegmentLength=65536\0"
                        + keys;
        send(
                new LoginRequest(
                        true,
                        false,
                        1,
                        3,
                        0,
                        0,
                        isid,
                        tsih,
                        1,
                        cid,
                        cmdSn,
                        0,
                        Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
        LoginResponse r = (LoginResponse) receive();
        if (r != null && r.statusClass() == 0) {
            digests.enableDigests(headerDigest, dataDigest);
        }
        return r;
    }

    /** The connection fails: the socket is reset (RST), as a crashed peer or network would. */
    void fail() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** Sends {@code pdu} with its data digest spoiled (the last byte of the frame flipped). */
    void sendWithBadDataDigest(Pdu pdu) throws IOException {
        byte[] wire = Wire.of(pdu, digests.headerDigest(), true);
        wire[wire.length - 1] ^= 0x5A;
        sendBytes(wire);
    }

    /** Sends {@code pdu} with its header digest spoiled. */
    void sendWithBadHeaderDigest(Pdu pdu) throws IOException {
        byte[] wire = Wire.of(pdu, true, digests.dataDigest());
        wire[48 + pdu.ahs().readableBytes()] ^= 0x5A;
        sendBytes(wire);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        decoder.finishAndReleaseAll();
    }
}
