package org.iscsilab.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Portal and admin addresses as users type them, and as the target prints them back. */
class HostPortTest {
    @Test
    void hostPortForms() {
        assertEquals(new InetSocketAddress("127.0.0.1", 3260), HostPort.parse("127.0.0.1", 3260));
        assertEquals(
                new InetSocketAddress("127.0.0.1", 3261), HostPort.parse("127.0.0.1:3261", 3260));
        assertEquals(new InetSocketAddress("::1", 3262), HostPort.parse("[::1]:3262", 3260));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("h:99999", 3260))
                        .getMessage()
                        .contains("port must be a number from 0 to 65535"));
    }

    @Test
    void formattedAsInitiatorsWriteThem() {
        assertEquals("127.0.0.1:3260", HostPort.format(new InetSocketAddress("127.0.0.1", 3260)));
        assertEquals("[0:0:0:0:0:0:0:1]:3262", HostPort.format(HostPort.parse("[::1]:3262", 3260)));
    }
}
