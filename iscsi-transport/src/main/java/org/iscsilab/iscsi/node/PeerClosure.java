package org.iscsilab.iscsi.node;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * Whether the initiator has already closed a TCP connection that the connection's event loop has
 * not yet noticed. The kernel knows the moment the initiator's FIN or RST arrives; the event loop
 * learns it only when it next runs, and under CPU load that can be after a new connection of the
 * same initiator, served by another event loop, has logged in and sent commands.
 */
final class PeerClosure {
    // Linux TCP states (include/net/tcp_states.h): the peer's FIN or RST has arrived
    private static final int TCP_CLOSE = 7;
    private static final int TCP_CLOSE_WAIT = 8;
    private static final int TCP_LAST_ACK = 9;

    private PeerClosure() {}

    /**
     * True when the kernel has seen the peer end the connection. Only the epoll transport can ask
     * (TCP_INFO); on any other transport this is false and the event loop's own notice is all there
     * is.
     */
    static boolean seen(Channel channel) {
        if (!(channel instanceof EpollSocketChannel epoll) || !channel.isOpen()) {
            return false;
        }
        try {
            int state = epoll.tcpInfo().state();
            return state == TCP_CLOSE_WAIT || state == TCP_CLOSE || state == TCP_LAST_ACK;
        } catch (ChannelException e) {
            return false; // closed meanwhile: its event loop ends the session
        }
    }
}
